package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.config.ConfigLoader;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every configuration example of the v1 documentation (extracted into test resources) starts a real server that
 * accepts a client connection and a signed API call. Ports and the bind address are overridden by flags so the
 * examples can run side by side on loopback; the TLS example gets a freshly generated certificate. The ACME
 * ({@code ssl_autocert}) example needs a reachable CA for its host name and is covered by {@link AutocertIT}
 * against pebble instead.
 */
class V1DocsExamplesIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    static Stream<Path> examples() throws Exception {
        Path d = Path.of(V1DocsExamplesIT.class.getResource("/v1-docs-examples").toURI());
        try (Stream<Path> s = Files.list(d)) {
            List<Path> files = s.filter(p -> !p.getFileName().toString().equals("README.md"))
                    .filter(p -> !p.getFileName().toString().contains("autocert")).sorted().toList();
            assertThat(files).hasSizeGreaterThan(10);
            return files.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleStartsAServerThatServesClientsAndTheApi(Path example) throws Exception {
        Map<String, Object> flags = new HashMap<>();
        flags.put("port", "0");
        flags.put("api_port", "");
        flags.put("admin_port", "");
        flags.put("address", "127.0.0.1");
        RotorConfig probe = new ConfigLoader(example, Map.of(), flags).load().config();
        if (probe.server().ssl()) {
            generateCertificate();
            flags.put("ssl_cert", dir.resolve("cert.pem").toString());
            flags.put("ssl_key", dir.resolve("key.pem").toString());
        }
        RotorConfig config = new ConfigLoader(example, Map.of(), flags).load().config();
        String secret = config.node().secret();
        RotorServer server = new RotorServer(config.server(), config.node(), new MemoryEngine());
        server.start();
        try {
            if (!config.server().ssl()) {
                WsTestClient ws = WsTestClient.connect(
                        URI.create("ws://127.0.0.1:" + server.boundPort() + "/connection/websocket"), WAIT);
                String ts = Long.toString(System.currentTimeMillis() / 1000);
                ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts
                        + "\",\"token\":\"" + Hmac.clientToken(secret, "u", ts, "") + "\"}}");
                assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
                ws.abort();
            }
            String scheme = config.server().ssl() ? "https" : "http";
            HttpClient http = config.server().ssl()
                    ? HttpClient.newBuilder().sslContext(TlsSupport.trusting(dir.resolve("cert.pem"))).build()
                    : HttpClient.newHttpClient();
            String body = "{\"method\":\"channels\"}";
            HttpRequest.Builder request = HttpRequest.newBuilder(
                    URI.create(scheme + "://127.0.0.1:" + server.boundApiPort() + "/api/"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (!secret.isEmpty()) {
                request.header("X-API-Sign", Hmac.apiSign(secret, body.getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (secret.isEmpty() && !config.node().insecureApi()) {
                // v1 compat: without a secret every signed API request is refused (http-api.md §2.4)
                assertThat(r.statusCode()).isEqualTo(400);
            } else {
                assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            }
        } finally {
            server.shutdown().get(10, TimeUnit.SECONDS);
        }
    }

    private void generateCertificate() throws Exception {
        TlsSupport.generate(dir.resolve("cert.pem"), dir.resolve("key.pem"));
    }
}
