package dev.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Starts a {@code redis-server} process for one run of the Redis engine: a free loopback port, no persistence (no
 * RDB snapshots, no AOF), its log in {@code redis.log} of a temporary directory. The suite samples its CPU from
 * {@code /proc/<pid>} next to the server's. Stateless.
 */
final class LocalRedis {
    private LocalRedis() {
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
    static LocalProcess start(String executable) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("rotor-bench-redis-");
        int port = LocalProcess.freePort();
        try {
            return LocalProcess.start("redis-server", command(executable, port), port, dir, "redis.log", 20);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + executable + " (install Redis or pass "
                    + "--redis-server): " + e.getMessage(), e);
        }
    }
}
