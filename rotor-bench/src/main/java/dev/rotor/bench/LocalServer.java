package dev.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a Rotor (or v1-compatible) server process for the suite: a config with {@code insecure_api}, a history
 * namespace {@code hist} and the memory or Redis engine in a temporary directory, a free loopback port, the given
 * JVM options; its output goes to {@code server.log} there. Stateless.
 */
final class LocalServer {
    static final String SECRET = "bench-secret";

    private LocalServer() {
    }

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

    /** How a server process is started: the command before the flags every start appends. */
    interface Launcher {
        /** Starts a server, on the Redis engine at {@code 127.0.0.1:<redisPort>} when {@code redisPort > 0}. */
        LocalProcess start(int redisPort) throws IOException, InterruptedException;
    }

    /** {@code java <jvmOpts> -jar <jar>}, with this generator's JVM (the suite's launcher). */
    static Launcher jar(Path jar, List<String> jvmOpts) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("server jar " + jar + " not found; build it with "
                    + "`mvn -q -B -DskipTests -pl rotor-server -am package` or pass --server-jar");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        return redisPort -> start(cmd, Path.of(""), redisPort);
    }

    /**
     * A shell command line, e.g. {@code bin/rotor}, {@code ROTOR_JAVA_OPTS='-Xss512k -Xms16m' bin/rotor} or a
     * Centrifugo v1 binary, run by {@code bash -c} in {@code cwd} as {@code exec env <commandLine> <flags>}: leading
     * variable assignments work, and the sampled process is the server itself as long as the command execs its
     * server too, as {@code bin/rotor} does.
     */
    static Launcher command(String commandLine, Path cwd) {
        if (commandLine.isBlank()) {
            throw new IllegalArgumentException("empty server command");
        }
        return redisPort -> start(List.of("bash", "-c", "exec env " + commandLine + " \"$@\"", "rotor-bench"), cwd,
                redisPort);
    }

    /**
     * Starts {@code command --config=… --address=127.0.0.1 --port=<free> --log_level=error} in {@code cwd} and
     * waits (at most 120 s, which includes a build when the command is {@code bin/rotor} of a stale checkout) until
     * the port accepts connections; the config and the log ({@code server.log}) are in a new temporary directory.
     */
    private static LocalProcess start(List<String> command, Path cwd, int redisPort) throws IOException,
            InterruptedException {
        Path dir = Files.createTempDirectory("rotor-bench-");
        Path config = dir.resolve("config.json");
        Files.writeString(config, config(redisPort));
        int port = LocalProcess.freePort();
        List<String> cmd = new ArrayList<>(command);
        cmd.addAll(List.of("--config=" + config, "--address=127.0.0.1", "--port=" + port, "--log_level=error"));
        return LocalProcess.start("the server", cmd, port, cwd.toAbsolutePath(), dir, "server.log", 120);
    }
}
