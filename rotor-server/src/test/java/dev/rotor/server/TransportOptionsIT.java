package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.RawHttp;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server-level options: TLS from PEM files, permessage-deflate negotiation, worker event loops ({@code gomaxprocs}),
 * http_prefix (configuration.md §3.5).
 */
class TransportOptionsIT {

    @TempDir
    Path dir;

    @Test
    void sslServesTheApiOverTlsWithTheConfiguredCertificate() throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        TlsSupport.generate(cert, key);

        try (TestServer server = TestServer.start(NodeConfig.builder(),
                ServerConfig.builder().ssl(true).sslCert(cert.toString()).sslKey(key.toString()))) {
            HttpClient https = HttpClient.newBuilder().sslContext(TlsSupport.trusting(cert)).version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build();
            String body = "{\"method\":\"channels\"}";
            HttpResponse<String> r = https.send(HttpRequest.newBuilder(
                    java.net.URI.create("https://127.0.0.1:" + server.server().boundApiPort() + "/api/"))
                    .header("Content-Type", "application/json")
                    .header("X-API-Sign", Hmac.apiSign(TestServer.SECRET, body.getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
        }
    }

    @Test
    void permessageDeflateIsNegotiatedOnlyWhenEnabled() throws Exception {
        try (TestServer server = TestServer.start(NodeConfig.builder(), ServerConfig.builder().websocketCompression(true))) {
            assertThat(handshake(server.server().boundPort(), "/connection/websocket"))
                    .startsWith("HTTP/1.1 101").containsIgnoringCase("sec-websocket-extensions: permessage-deflate");
        }
        try (TestServer server = TestServer.start(NodeConfig.builder())) {
            assertThat(handshake(server.server().boundPort(), "/connection/websocket"))
                    .startsWith("HTTP/1.1 101").doesNotContainIgnoringCase("permessage-deflate");
        }
    }

    @Test
    void theWorkerEventLoopsAreGomaxprocsOrOnePerCore() throws Exception {
        try (TestServer server = TestServer.start(NodeConfig.builder(), ServerConfig.builder().eventLoops(3))) {
            assertThat(server.server().workerEventLoops()).isEqualTo(3);
        }
        try (TestServer server = TestServer.start(NodeConfig.builder())) {
            assertThat(server.server().workerEventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void httpPrefixMovesEveryRoute() throws Exception {
        try (TestServer server = TestServer.start(NodeConfig.builder(), ServerConfig.builder().httpPrefix("/rt"))) {
            assertThat(handshake(server.server().boundPort(), "/rt/connection/websocket")).startsWith("HTTP/1.1 101");
            assertThat(handshake(server.server().boundPort(), "/connection/websocket")).startsWith("HTTP/1.1 404");
            HttpResponse<String> api = server.send(HttpRequest.newBuilder(server.uri("/rt/api/"))
                    .header("Content-Type", "application/json")
                    .header("X-API-Sign", Hmac.apiSign(TestServer.SECRET, "[]".getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString("[]")).build());
            assertThat(api.statusCode()).isEqualTo(200);
        }
    }

    @Test
    void onlyMessagesLongerThanTheMinimumSizeAreCompressed() throws Exception {
        try (TestServer server = TestServer.start(NodeConfig.builder(),
                ServerConfig.builder().websocketCompression(true).websocketCompressionMinSize(40));
                Socket s = RawHttp.upgraded(server.server().boundPort(), "/connection/websocket",
                        "Sec-WebSocket-Extensions: permessage-deflate\r\n")) {
            java.io.InputStream in = s.getInputStream();
            RawHttp.writeFrame(s, 1, server.connectFrame("c", "u", "").getBytes(StandardCharsets.UTF_8));
            RawHttp.Frame connect = RawHttp.readFrame(in);
            assertThat(connect.opcode()).isEqualTo(1);
            assertThat(connect.compressed()).as("the connect reply is longer than 40 bytes").isTrue();
            String ping = "{\"method\":\"ping\"}";
            RawHttp.writeFrame(s, 1, ping.getBytes(StandardCharsets.UTF_8));
            RawHttp.Frame reply = RawHttp.readFrame(in);
            assertThat(reply.compressed()).isFalse();
            assertThat(reply.text()).isEqualTo(ping);
        }
    }

    /** Sends a WebSocket upgrade offering permessage-deflate and returns the response head. */
    private static String handshake(int port, String path) throws Exception {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5000);
            RawHttp.sendUpgrade(s, path, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
            return RawHttp.readHead(s.getInputStream());
        }
    }
}
