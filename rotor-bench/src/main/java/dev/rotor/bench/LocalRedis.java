package dev.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A {@code redis-server} process started by the suite for one run of the Redis engine: a free loopback port, no
 * persistence (no RDB snapshots, no AOF), its log in {@code redis.log} of a temporary directory. The suite samples
 * its CPU from {@code /proc/<pid>} next to the server's. Owned by the suite thread; {@link #close()} stops it.
 */
final class LocalRedis implements AutoCloseable {
    private final Process process;
    private final int port;
    final Path dir;

    private LocalRedis(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    /**
     * The command line: loopback only, no persistence, no protected-mode surprises, and as many clients as the
     * suite's nodes can open.
     */
    static List<String> command(String executable, int port) {
        return List.of(executable, "--port", Integer.toString(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--protected-mode", "no", "--maxclients", "10000", "--loglevel", "warning");
    }

    /** Starts {@code redis-server} and waits (at most 20 s) until its port accepts connections. */
    static LocalRedis start(String executable) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("rotor-bench-redis-");
        int port = LocalServer.freePort();
        Process p;
        try {
            p = new ProcessBuilder(command(executable, port)).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.log").toFile()).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executable + " (install Redis or pass "
                    + "--redis-server): " + e.getMessage(), e);
        }
        LocalServer.awaitPort(p, port, 20, "redis-server", dir.resolve("redis.log"));
        return new LocalRedis(p, port, dir);
    }

    int port() {
        return port;
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        LocalServer.stop(process);
    }
}
