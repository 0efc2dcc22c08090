package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import dev.rotor.testkit.WsTestClient;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's server command for real: {@code bin/rotor --config=FILE --port=PORT --address=127.0.0.1} as a child
 * process (the shaded jar is built by the package phase, before failsafe runs), a client and an API call against
 * it, SIGHUP reloading the file, then SIGTERM: the client is told {@code shutting down}, the PID file disappears,
 * the process exits 0.
 */
class BinRotorIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void binRotorServesClientsAndTheApiAndShutsDownGracefully() throws Exception {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
        Path script = root.resolve("bin/rotor");
        assertThat(script).isExecutable();
        Files.writeString(dir.resolve("rotor.json"), "{\"secret\": \"bin-secret\", \"presence\": true}");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(script.toString(), "--config=rotor.json", "--port=" + port,
                "--address=127.0.0.1", "--pid_file=rotor.pid", "--name=bin-node")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(p.isAlive()).as("bin/rotor is running: %s", Files.readString(log)).isTrue();
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(Files.readString(dir.resolve("rotor.pid")).trim()).isEqualTo(Long.toString(p.pid()));

            WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/connection/websocket"), WAIT);
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts
                    + "\",\"token\":\"" + Hmac.clientToken("bin-secret", "u", ts, "") + "\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
            ws.send("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"status\":true");

            String body = "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"via\":\"bin/rotor\"}}}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/")).header("Content-Type", "application/json")
                    .header("X-API-Sign", Hmac.apiSign("bin-secret", body.getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");
            assertThat(ws.awaitFrame(WAIT)).endsWith("\"channel\":\"news\",\"data\":{\"via\":\"bin/rotor\"}}}");

            // SIGHUP reloads the file: a namespace added to it is usable by the next command
            ws.send("{\"uid\":\"3\",\"method\":\"subscribe\",\"params\":{\"channel\":\"late:x\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"error\":\"namespace not found\"");
            Files.writeString(dir.resolve("rotor.json"),
                    "{\"secret\": \"bin-secret\", \"presence\": true, \"namespaces\": [{\"name\": \"late\"}]}");
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(log))
                    .contains("Signal received: hangup").contains("Configuration successfully reloaded"));
            ws.send("{\"uid\":\"4\",\"method\":\"subscribe\",\"params\":{\"channel\":\"late:x\"}}");
            assertThat(ws.awaitFrame(WAIT)).isEqualTo("{\"uid\":\"4\",\"method\":\"subscribe\",\"body\":{\"channel\":"
                    + "\"late:x\",\"status\":true,\"last\":\"\",\"messages\":null,\"recovered\":false}}");

            p.toHandle().destroy(); // SIGTERM
            assertThat(ws.awaitClose(Duration.ofSeconds(10)))
                    .isEqualTo(new WsTestClient.Close(3000, "{\"reason\":\"shutting down\",\"reconnect\":true}"));
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            assertThat(dir.resolve("rotor.pid")).doesNotExist();
            assertThat(Files.readString(log)).contains("Start serving").contains("Signal received: terminated");
        } finally {
            p.destroyForcibly();
        }
    }
}
