package dev.rotor.server.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import dev.rotor.testkit.WsTestClient;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code bin/rotor --engine=redis} processes (the shaded jar, Lettuce included) sharing one real redis-server:
 * a publication through the API of one reaches a client of the other, and both report healthy.
 */
class BinRotorRedisIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SECRET = "bin-secret";

    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @TempDir
    Path dir;

    private final List<Process> processes = new ArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws InterruptedException {
        for (Process p : processes) {
            p.destroy();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private int start(String name) throws Exception {
        Path script = dev.rotor.server.attack.RotorProcess.binRotor();
        int port = RedisServer.freePort();
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(script.toString(), "--config=rotor.json",
                "--port=" + port, "--address=127.0.0.1", "--name=" + name, "--engine=redis",
                "--redis_host=127.0.0.1", "--redis_port=" + redis.server().port())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
            assertThat(p.isAlive()).as("%s is running: %s", name, Files.readString(log)).isTrue();
            try {
                return health(port).statusCode() == 200;
            } catch (java.io.IOException e) {
                return false;
            }
        });
        assertThat(Files.readString(log)).contains("Redis: 127.0.0.1:" + redis.server().port() + "/0");
        return port;
    }

    private HttpResponse<String> health(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void twoBinRotorNodesShareOneRedis() throws Exception {
        Files.writeString(dir.resolve("rotor.json"),
                "{\"secret\": \"" + SECRET + "\", \"redis_prefix\": \"" + redis.prefix() + "\"}");
        int first = start("bin-a");
        int second = start("bin-b");

        WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + first + "/connection/websocket"), WAIT);
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts
                + "\",\"token\":\"" + Hmac.clientToken(SECRET, "u", ts, "") + "\"}}");
        assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
        ws.send("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}");
        assertThat(ws.awaitFrame(WAIT)).contains("\"status\":true");

        String body = "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"via\":\"b\"}}}";
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + second + "/api/"))
                .header("Content-Type", "application/json")
                .header("X-API-Sign", Hmac.apiSign(SECRET, body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());

        assertThat(r.body()).isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");
        assertThat(ws.awaitFrame(WAIT)).endsWith("\"channel\":\"news\",\"data\":{\"via\":\"b\"}}}");
        assertThat(health(second).body()).isEqualTo("{\"status\":\"ok\"}");
        ws.abort();
    }
}
