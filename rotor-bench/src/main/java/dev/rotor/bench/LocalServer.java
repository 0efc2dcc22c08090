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

    /**
     * Starts {@code java <jvmOpts> -jar <jar> --config=… --address=127.0.0.1 --port=<free>} and waits (at most
     * 60 s) until the port accepts connections; {@code redisPort > 0} selects the Redis engine on that port.
     */
    static LocalProcess start(Path jar, List<String> jvmOpts, int redisPort) throws IOException,
            InterruptedException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("server jar " + jar + " not found; build it with "
                    + "`mvn -q -B -DskipTests -pl rotor-server -am package` or pass --server-jar");
        }
        Path dir = Files.createTempDirectory("rotor-bench-");
        Path config = dir.resolve("config.json");
        Files.writeString(config, config(redisPort));
        int port = LocalProcess.freePort();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOpts);
        cmd.addAll(List.of("-jar", jar.toAbsolutePath().toString(), "--config=" + config,
                "--address=127.0.0.1", "--port=" + port, "--log_level=error"));
        return LocalProcess.start("the server", cmd, port, dir, "server.log", 60);
    }
}
