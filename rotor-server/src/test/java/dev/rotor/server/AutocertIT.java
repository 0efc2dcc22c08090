package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.auth.Hmac;
import dev.rotor.config.ConfigLoader;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.testkit.WsTestClient;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ssl_autocert} end to end against Debian's {@code pebble} ACME CA with real tls-alpn-01 validation: pebble
 * connects back to Rotor's TLS port on {@code localhost} (configuration.md §3.5).
 */
class AutocertIT {
    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final String SECRET = "autocert-secret";

    @TempDir
    Path dir;

    @Test
    void issuesOnFirstHandshakeRefusesOtherHostsServesApiAndReusesTheCacheAfterRestart() throws Exception {
        int rotorPort = Pebble.freePort();
        int httpPort = Pebble.freePort();
        Path cache = dir.resolve("cache");
        BigInteger firstSerial;
        X509Certificate root;
        RotorConfig config;
        try (Pebble pebble = Pebble.start(dir, rotorPort, httpPort)) {
            config = config(rotorPort, httpPort, cache, pebble, false);
            root = pebble.root();
            RotorServer server = new RotorServer(config.server(), config.node(), new MemoryEngine(),
                    config.autocert());
            server.start();
            try {
                HttpClient https = HttpClient.newBuilder().sslContext(Pebble.trusting(root))
                        .connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1).build();
                try (WsTestClient ws = WsTestClient.connect(
                        URI.create("wss://localhost:" + rotorPort + "/connection/websocket"), WAIT, https)) {
                    String ts = Long.toString(System.currentTimeMillis() / 1000);
                    ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"42\",\"timestamp\":\""
                            + ts + "\",\"token\":\"" + Hmac.clientToken(SECRET, "42", ts, "") + "\"}}");
                    assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"").contains("\"client\":\"")
                            .doesNotContain("\"error\":\"");
                }

                X509Certificate[] served = handshake(root, rotorPort, "localhost");
                X509Certificate leaf = served[0];
                assertThat(leaf.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList())
                        .containsExactly("localhost");
                assertThat(served).hasSizeGreaterThanOrEqualTo(2);
                assertThat(leaf.getIssuerX500Principal()).isEqualTo(served[1].getSubjectX500Principal());
                assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("EC");
                firstSerial = leaf.getSerialNumber();

                // without SNI ssl_autocert_server_name is assumed
                assertThat(handshake(root, rotorPort, null)[0].getSerialNumber()).isEqualTo(firstSerial);
                assertThatThrownBy(() -> handshake(root, rotorPort, "not-allowed.example"))
                        .isInstanceOf(SSLException.class);
                assertThat(cache.resolve("not-allowed.example")).doesNotExist();

                String body = "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"x\":1}}}";
                HttpResponse<String> api = https.send(HttpRequest.newBuilder(
                                URI.create("https://localhost:" + rotorPort + "/api/"))
                        .header("Content-Type", "application/json")
                        .header("X-API-Sign", Hmac.apiSign(SECRET, body.getBytes(StandardCharsets.UTF_8)))
                        .timeout(WAIT).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(api.statusCode()).isEqualTo(200);
                assertThat(api.body()).isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");

                HttpResponse<String> redirect = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.boundHttp01Port() + "/connection?x=1"))
                        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(redirect.statusCode()).isEqualTo(302);
                assertThat(redirect.headers().firstValue("Location")).hasValue("https://127.0.0.1/connection?x=1");
            } finally {
                server.shutdown().get();
            }
        }
        assertThat(cache.resolve("acme_account+key")).isRegularFile();
        assertThat(Files.readString(cache.resolve("localhost"))).contains("PRIVATE KEY", "BEGIN CERTIFICATE");

        // pebble is gone: only the cache can provide the certificate now, so no new order can have been made
        RotorServer restarted = new RotorServer(config.server(), config.node(), new MemoryEngine(),
                config.autocert());
        restarted.start();
        try {
            assertThat(handshake(root, rotorPort, "localhost")[0].getSerialNumber()).isEqualTo(firstSerial);
        } finally {
            restarted.shutdown().get();
        }
    }

    @Test
    void fallsBackToHttp01WhenTlsAlpnFailsAndIssuesRsaWithForceRsa() throws Exception {
        int rotorPort = Pebble.freePort();
        int httpPort = Pebble.freePort();
        int deadPort = Pebble.freePort(); // nothing listens: tls-alpn-01 validation fails
        Path cache = dir.resolve("cache");
        try (Pebble pebble = Pebble.start(dir, deadPort, httpPort)) {
            RotorConfig config = config(rotorPort, httpPort, cache, pebble, true);
            X509Certificate root = pebble.root();
            RotorServer server = new RotorServer(config.server(), config.node(), new MemoryEngine(),
                    config.autocert());
            server.start();
            try {
                X509Certificate leaf = handshake(root, rotorPort, "localhost")[0];
                assertThat(leaf.getPublicKey().getAlgorithm()).isEqualTo("RSA");
                assertThat(cache.resolve("localhost+rsa")).isRegularFile();
                assertThat(cache.resolve("localhost")).doesNotExist();
                HttpResponse<String> unknown = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/.well-known/acme-challenge/nope"))
                        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(unknown.statusCode()).isEqualTo(404);
            } finally {
                server.shutdown().get();
            }
        }
    }

    private RotorConfig config(int rotorPort, int httpPort, Path cache, Pebble pebble, boolean rsa)
            throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"secret\": \"" + SECRET + "\", \"address\": \"127.0.0.1\", \"port\": \""
                + rotorPort + "\", \"ssl_autocert\": true, \"ssl_autocert_host_whitelist\": \"localhost\","
                + " \"ssl_autocert_server_name\": \"localhost\", \"ssl_autocert_cache_dir\": \"" + cache + "\","
                + " \"ssl_autocert_email\": \"ops@example.com\", \"ssl_autocert_http\": true,"
                + " \"ssl_autocert_force_rsa\": " + rsa + ","
                + " \"ssl_autocert_http_addr\": \"127.0.0.1:" + httpPort + "\","
                + " \"ssl_autocert_directory\": \"" + pebble.directory() + "\","
                + " \"ssl_autocert_directory_ca\": \"" + pebble.caCert() + "\"}");
        return new ConfigLoader(file, Map.of(), Map.of()).load().config();
    }

    /**
     * A fresh TLS handshake (no session resumption) with an explicit SNI name, or none when null; returns the
     * served chain, verified against pebble's root.
     */
    private static X509Certificate[] handshake(X509Certificate root, int port, String sni) throws Exception {
        try (SSLSocket socket = (SSLSocket) Pebble.trusting(root).getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout((int) WAIT.toMillis());
            SSLParameters params = socket.getSSLParameters();
            params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
            socket.setSSLParameters(params);
            socket.startHandshake();
            return (X509Certificate[]) socket.getSession().getPeerCertificates();
        }
    }
}
