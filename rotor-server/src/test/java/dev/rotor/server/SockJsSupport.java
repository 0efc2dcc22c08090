package dev.rotor.server;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.SockJsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;

/** Shared fixture for the SockJS integration tests: one real server per test, SockJS clients closed after. */
abstract class SockJsSupport {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final ChannelOptions ALL = ChannelOptions.builder().publish(true).presence(true).joinLeave(false)
            .historySize(5).historyLifetime(60).build();

    TestServer server;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<SockJsTestClient> clients = new ArrayList<>();

    TestServer start(NodeConfig.Builder node, ServerConfig.Builder config) throws Exception {
        server = TestServer.start(node, config);
        return server;
    }

    /** Default node options with every channel feature on, heartbeats as given. */
    TestServer start(int heartbeatSeconds) throws Exception {
        return start(NodeConfig.builder().topLevel(ALL), ServerConfig.builder().sockjsHeartbeatDelay(heartbeatSeconds));
    }

    @AfterEach
    void stopServer() throws Exception {
        for (SockJsTestClient c : clients) {
            c.close();
        }
        if (server != null) {
            server.close();
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.server().boundPort() + "/connection";
    }

    /** A fresh session URL (not yet opened). */
    String sessionUrl() {
        return base() + "/000/" + UUID.randomUUID();
    }

    SockJsTestClient open(SockJsTestClient.Transport transport) {
        SockJsTestClient c = SockJsTestClient.open(http, base(), transport, WAIT);
        clients.add(c);
        return c;
    }

    /** A session over {@code transport} that completed {@code connect} as {@code user}. */
    SockJsTestClient connected(SockJsTestClient.Transport transport, String user) {
        SockJsTestClient c = open(transport);
        c.send(connect("1", user));
        String reply = c.nextMessage(WAIT);
        org.assertj.core.api.Assertions.assertThat(reply).startsWith("{\"uid\":\"1\",\"method\":\"connect\",\"body\"");
        return c;
    }

    HttpResponse<String> get(String url, String... headers) throws Exception {
        return send(request(url, headers).GET());
    }

    HttpResponse<String> post(String url, String body, String... headers) throws Exception {
        return send(request(url, headers).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> options(String url, String... headers) throws Exception {
        return send(request(url, headers).method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    private static HttpRequest.Builder request(String url, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        return headers.length == 0 ? b : b.headers(headers);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String header(HttpResponse<?> r, String name) {
        return r.headers().firstValue(name).orElse(null);
    }

    /** A connect command with a valid token. */
    String connect(String uid, String user) {
        return server.connectFrame(uid, user, "");
    }

    static String subscribe(String uid, String channel) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}";
    }

    static String advice(String reason, boolean reconnect) {
        return "{\"reason\":\"" + reason + "\",\"reconnect\":" + reconnect + "}";
    }

    /**
     * The whole client protocol over one SockJS transport: connect, subscribe, publish (push and reply), presence,
     * history and ping; every reply is the exact v1 frame shape.
     */
    void fullProtocol(SockJsTestClient c) {
        c.send(connect("1", "u1"));
        String connected = c.nextMessage(WAIT);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "\\{\"uid\":\"1\",\"method\":\"connect\",\"body\":\\{\"version\":\"[^\"]+\",\"client\":\"([0-9a-f-]{36})\","
                + "\"expires\":false,\"expired\":false,\"ttl\":0}}").matcher(connected);
        org.assertj.core.api.Assertions.assertThat(m.matches()).as("connect reply %s", connected).isTrue();
        String client = m.group(1);

        c.send(subscribe("2", "news"));
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT)).isEqualTo("{\"uid\":\"2\",\"method\":"
                + "\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\",\"messages\":null,"
                + "\"recovered\":false}}");

        c.send("{\"uid\":\"3\",\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"text\":\"a<b \\u2028 \u00e9\"}}}");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT))
                .startsWith("{\"method\":\"message\",\"body\":{\"uid\":\"")
                .contains("\"client\":\"" + client + "\"")
                .endsWith("\"channel\":\"news\",\"data\":{\"text\":\"a<b \\u2028 \u00e9\"}}}");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"publish\",\"body\":{\"channel\":\"news\",\"status\":true}}");

        c.send("{\"uid\":\"4\",\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT)).isEqualTo("{\"uid\":\"4\",\"method\":"
                + "\"presence\",\"body\":{\"channel\":\"news\",\"data\":{\"" + client + "\":{\"user\":\"u1\","
                + "\"client\":\"" + client + "\"}}}}");

        c.send("{\"uid\":\"5\",\"method\":\"history\",\"params\":{\"channel\":\"news\"}}");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT))
                .startsWith("{\"uid\":\"5\",\"method\":\"history\",\"body\":{\"channel\":\"news\",\"data\":[{")
                .contains("\"data\":{\"text\":\"a\\u003cb \\u2028 \u00e9\"}");

        // two commands in one protocol frame give one array reply; two strings in one send are two frames
        c.send("[{\"uid\":\"6\",\"method\":\"ping\"},{\"uid\":\"7\",\"method\":\"ping\"}]",
                "{\"uid\":\"8\",\"method\":\"ping\"}");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT))
                .isEqualTo("[{\"uid\":\"6\",\"method\":\"ping\"},{\"uid\":\"7\",\"method\":\"ping\"}]");
        org.assertj.core.api.Assertions.assertThat(c.nextMessage(WAIT)).isEqualTo("{\"uid\":\"8\",\"method\":\"ping\"}");
    }
}
