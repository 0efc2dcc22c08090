package dev.rotor.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Rotor (or v1-compatible) server process started by the suite: a config with {@code insecure_api}, a history
 * namespace {@code hist} and the memory or Redis engine in a temporary directory, a free loopback port, the given
 * JVM options; its output goes to {@code server.log} there. Owned by the suite thread; {@link #close()} stops it (SIGTERM, then kill).
 */
final class LocalServer implements AutoCloseable {
    static final String SECRET = "bench-secret";

    /**
     * The config: {@code insecure_api}, a history namespace {@code hist}, and for {@code redisPort > 0} the Redis
     * engine on {@code 127.0.0.1:<redisPort>}.
     */
    static String config(int redisPort) {
        return "{\"secret\":\"" + SECRET + "\",\"insecure_api\":true,"
                + (redisPort > 0 ? "\"engine\":\"redis\",\"redis_host\":\"127.0.0.1\",\"redis_port\":\"" + redisPort
                        + "\"," : "")
                + "\"namespaces\":[{\"name\":\"hist\",\"history_size\":10,\"history_lifetime\":60}]}";
    }

    private final Process process;
    private final int port;
    final Path dir;

    private LocalServer(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * Starts {@code java <jvmOpts> -jar <jar> --config=… --address=127.0.0.1 --port=<free>} and waits (at most
     * 60 s) until the port accepts connections; {@code redisPort > 0} selects the Redis engine on that port.
     */
    static LocalServer start(Path jar, List<String> jvmOpts, int redisPort) throws IOException,
            InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("server jar " + jar + " not found; build it with "
                    + "`mvn -q -B -DskipTests -pl rotor-server -am package` or pass --server-jar");
        }
        Path dir = Files.createTempDirectory("rotor-bench-");
        Path config = dir.resolve("config.json");
        Files.writeString(config, config(redisPort));
        int port = freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config=" + config,
                "--address=127.0.0.1", "--port=" + port, "--log_level=error"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("server.log").toFile()).start();
        awaitPort(p, port, 60, "the server", dir.resolve("server.log"));
        return new LocalServer(p, port, dir);
    }

    /**
     * Waits (at most {@code seconds}) until {@code p} accepts connections on its loopback {@code port}; stops it
     * and throws when it exits first or does not open the port in time.
     */
    static void awaitPort(Process p, int port, int seconds, String what, Path log) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " exited with " + p.exitValue() + "; see " + log);
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        stop(p);
        throw new IllegalStateException(what + " did not open port " + port + " within " + seconds + " s");
    }

    /** SIGTERM, then a kill after 15 s. */
    static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(15, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        stop(process);
    }
}
