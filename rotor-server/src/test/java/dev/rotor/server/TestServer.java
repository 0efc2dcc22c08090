package dev.rotor.server;

import dev.rotor.auth.Hmac;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A real Rotor server on a free loopback port with the memory engine, for integration tests. Closing it shuts the
 * server down. Not thread-safe for reconfiguration; the server itself is.
 */
public final class TestServer implements AutoCloseable {
    public static final String SECRET = "secret";

    private final RotorServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestServer(RotorServer server) {
        this.server = server;
    }

    /** Starts a server; the builder gets the test secret unless it set one. */
    public static TestServer start(NodeConfig.Builder node) throws Exception {
        return start(node, ServerConfig.builder());
    }

    public static TestServer start(NodeConfig.Builder node, ServerConfig.Builder serverConfig) throws Exception {
        return start(node, serverConfig, new MemoryEngine());
    }

    /** Starts a server on the given (not yet started) engine; the server owns and closes it. */
    public static TestServer start(NodeConfig.Builder node, ServerConfig.Builder serverConfig, Engine engine)
            throws Exception {
        NodeConfig cfg = node.build();
        if (cfg.secret().isEmpty()) {
            cfg = cfg.toBuilder().secret(SECRET).build();
        }
        ServerConfig sc = serverConfig.address("127.0.0.1").port("0").build();
        RotorServer server = new RotorServer(sc, cfg, engine);
        server.start();
        return new TestServer(server);
    }

    public RotorServer server() {
        return server;
    }

    public String wsUrl() {
        return "ws://127.0.0.1:" + server.boundPort() + "/connection/websocket";
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.boundApiPort() + path);
    }

    public String secret() {
        return server.node().config().secret();
    }

    /** A valid connect token for the current secret. */
    public String token(String user, String timestamp, String info) {
        return Hmac.clientToken(secret(), user, timestamp, info);
    }

    /** {@code {"method":"connect",...}} with a valid token and the current time. */
    public String connectFrame(String uid, String user, String info) {
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        return "{\"uid\":\"" + uid + "\",\"method\":\"connect\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\""
                + ts + "\",\"info\":" + quote(info) + ",\"token\":\"" + token(user, ts, info) + "\"}}";
    }

    /** {@code {"method":"refresh",...}} with a valid token for the given credentials. */
    public String refreshFrame(String uid, String user, String timestamp, String info) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"refresh\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\""
                + timestamp + "\",\"info\":" + quote(info) + ",\"token\":\"" + token(user, timestamp, info) + "\"}}";
    }

    /** JSON-quotes a string (enough for test values). */
    public static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** POSTs a signed JSON API request. */
    public HttpResponse<String> api(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(uri("/api/"))
                .header("Content-Type", "application/json")
                .header("X-API-Sign", Hmac.apiSign(secret(), body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Sends any request with the shared client. */
    public HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws Exception {
        server.shutdown().get();
    }
}
