package dev.rotor.testkit.redis;

import dev.rotor.testkit.DebianBinary;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One real {@code redis-server} (or {@code redis-sentinel}, see {@link #startSentinel}) process on {@code 127.0.0.1} with a private temporary directory and no persistence
 * ({@code --save '' --appendonly no}). It can be stopped, killed with SIGKILL and restarted on the same port; the
 * process and its directory are removed by {@link #close}, and by a JVM shutdown hook should a test runner die
 * first. Thread-safe (all methods are synchronized).
 */
public final class RedisServer implements AutoCloseable {
    /** The Debian binary; overridable with {@code -Drotor.redis.server=...}. */
    static final String DEFAULT_BINARY = "/usr/bin/redis-server";
    /** The Debian Sentinel binary; overridable with {@code -Drotor.redis.sentinel=...}. */
    static final String DEFAULT_SENTINEL_BINARY = "/usr/bin/redis-sentinel";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(20);

    private final Path binary;
    private final boolean sentinel;
    private final List<String> extraArgs;
    private final Path dir;
    private final int port;
    private final Thread cleanup;
    private Process process; // guarded by this; null while stopped

    private RedisServer(Path binary, boolean sentinel, int port, List<String> extraArgs) {
        this.binary = binary;
        this.sentinel = sentinel;
        this.port = port;
        this.extraArgs = List.copyOf(extraArgs);
        try {
            this.dir = Files.createTempDirectory("rotor-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.cleanup = new Thread(this::destroyQuietly, "rotor-redis-cleanup-" + port);
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /** Starts a server on a free port and waits until it answers PING. */
    public static RedisServer start() {
        return start(List.of());
    }

    /** Starts a server with extra {@code redis-server} arguments, e.g. {@code --requirepass secret}. */
    public static RedisServer start(List<String> extraArgs) {
        return start(freePort(), extraArgs);
    }

    /** Starts a server on a given port (e.g. one remembered from an earlier server) and waits for PING. */
    public static RedisServer start(int port, List<String> extraArgs) {
        RedisServer server = new RedisServer(requireBinary("rotor.redis.server", DEFAULT_BINARY, "redis-server"),
                false, port, extraArgs);
        return started(server);
    }

    /**
     * Starts a {@code redis-sentinel} on a free port monitoring {@code masterName} at {@code 127.0.0.1:masterPort}
     * with quorum 1, a 1 s down-after time and a 5 s failover timeout, so failovers in tests are quick.
     */
    public static RedisServer startSentinel(String masterName, int masterPort) {
        String config = String.join("\n",
                "sentinel monitor " + masterName + " 127.0.0.1 " + masterPort + " 1",
                "sentinel down-after-milliseconds " + masterName + " 1000",
                "sentinel failover-timeout " + masterName + " 5000",
                "sentinel parallel-syncs " + masterName + " 1", "");
        RedisServer server = new RedisServer(requireBinary("rotor.redis.sentinel", DEFAULT_SENTINEL_BINARY,
                "redis-sentinel"), true, freePort(), List.of());
        try {
            Files.writeString(server.dir.resolve("sentinel.conf"), config);
        } catch (IOException e) {
            server.close();
            throw new UncheckedIOException(e);
        }
        return started(server);
    }

    private static RedisServer started(RedisServer server) {
        try {
            server.restart();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** Fails loudly, with the install command, when a Debian Redis binary is missing. */
    static Path requireBinary(String property, String defaultPath, String debianPackage) {
        return DebianBinary.require(property, defaultPath, debianPackage, "the Redis integration tests");
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    /** {@code redis://127.0.0.1:port}. */
    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** The working directory of the process (config files for Sentinel live here). */
    public Path dir() {
        return dir;
    }

    /** Starts the process again on the same port (after {@link #stop} or {@link #kill}); waits for PING. */
    public synchronized void restart() {
        if (process != null && process.isAlive()) {
            return;
        }
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        if (sentinel) {
            // Sentinel rewrites its config file with what it learns; it lives in the private directory.
            command.addAll(List.of(dir.resolve("sentinel.conf").toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--protected-mode", "no"));
        } else {
            command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
                    "--save", "", "--appendonly", "no", "--protected-mode", "no"));
        }
        command.addAll(List.of("--loglevel", "warning"));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile());
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + binary, e);
        }
        awaitReady();
    }

    /** Stops gracefully (SIGTERM) and waits for the process to exit. */
    public synchronized void stop() {
        terminate(false);
    }

    /** Kills with SIGKILL, as a crash would, and waits for the process to exit. */
    public synchronized void kill() {
        terminate(true);
    }

    /** Freezes the process with SIGSTOP (a stalled server: connections stay open, nothing is answered). */
    public synchronized void pause() {
        signal("-STOP");
    }

    /** Resumes a {@link #pause paused} process with SIGCONT. */
    public synchronized void resume() {
        signal("-CONT");
    }

    private void signal(String signal) {
        if (process == null) {
            throw new IllegalStateException("not running");
        }
        try {
            Process kill = new ProcessBuilder("kill", signal, Long.toString(process.pid())).inheritIO().start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill " + signal + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Sends one command and returns the raw RESP reply line(s) read within a second (for test set-up only). */
    public String command(String... args) {
        return Resp.call(host(), port, args);
    }

    private void terminate(boolean force) {
        Process p = process;
        if (p == null) {
            return;
        }
        if (force) {
            p.destroyForcibly();
        } else {
            p.destroy();
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + process.exitValue() + ": " + log());
            }
            try {
                last = Resp.call(host(), port, "PING");
                if (last.startsWith("+PONG") || last.startsWith("-NOAUTH")) { // answering, password-protected
                    return;
                }
            } catch (UncheckedIOException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(20); // polling a starting process; bounded by READY_TIMEOUT
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IllegalStateException("redis-server on port " + port + " not ready within " + READY_TIMEOUT
                + " (last: " + last + "): " + log());
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("redis.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /** Kills the process and deletes its directory. Idempotent. */
    @Override
    public void close() {
        destroyQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // the JVM is shutting down; the hook runs anyway
        }
    }

    private synchronized void destroyQuietly() {
        terminate(true);
        deleteRecursively(dir);
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp directory left behind is harmless
        }
    }

    /** A free TCP port on 127.0.0.1 at the time of the call. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A minimal RESP client for test set-up: one command per socket. */
    static final class Resp {
        private Resp() {
        }

        static String call(String host, int port, String... args) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), 1000);
                socket.setSoTimeout(2000);
                StringBuilder out = new StringBuilder("*").append(args.length).append("\r\n");
                for (String a : args) {
                    byte[] b = a.getBytes(StandardCharsets.UTF_8);
                    out.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
                }
                OutputStream os = socket.getOutputStream();
                os.write(out.toString().getBytes(StandardCharsets.UTF_8));
                os.flush();
                InputStream in = socket.getInputStream();
                byte[] buf = new byte[65536];
                int n = in.read(buf);
                return n <= 0 ? "" : new String(buf, 0, n, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(host + ":" + port + ": " + e.getMessage(), e);
            }
        }
    }
}
