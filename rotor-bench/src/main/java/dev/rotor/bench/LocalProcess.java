package dev.rotor.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A process the suite started ({@link LocalServer} or {@link LocalRedis}): listening on a loopback {@code port},
 * working and logging in {@code dir}, {@code startup} after it was started (the port polled every 50 ms). Owned by the
 * suite thread; {@link #close()} stops it (SIGTERM, then kill).
 */
record LocalProcess(Process process, int port, Path dir, Duration startup) implements AutoCloseable {
    /**
     * Starts {@code command} in {@code dir} with its output in {@code dir/<log>} and waits (at most
     * {@code seconds}) until it accepts connections on {@code port}; stops it and throws when it exits first or
     * does not open the port in time.
     */
    static LocalProcess start(String what, List<String> command, int port, Path dir, String log, int seconds)
            throws IOException, InterruptedException {
        return start(what, command, port, dir, dir, log, seconds);
    }

    /** As above, running in {@code cwd} rather than {@code dir}. */
    static LocalProcess start(String what, List<String> command, int port, Path cwd, Path dir, String log,
            int seconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve(log).toFile()).start();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException(what + " exited with " + p.exitValue() + "; see " + dir.resolve(log));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return new LocalProcess(p, port, dir, Duration.ofNanos(System.nanoTime() - started));
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        new LocalProcess(p, port, dir, Duration.ZERO).close();
        throw new IllegalStateException(what + " did not open port " + port + " within " + seconds + " s");
    }

    /** A loopback port free right now. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
    }
}
