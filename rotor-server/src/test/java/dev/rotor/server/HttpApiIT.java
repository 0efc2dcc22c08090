package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.WsTestClient;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over real sockets (http-api.md §1–§2, gocent-wire.md): routes, encodings, signatures, status codes and
 * gocent's exact requests. What each command answers is tested at the executor, in rotor-core's {@code dev.rotor.api}
 * unit tests.
 */
class HttpApiIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();
    private TestServer server;

    private TestServer start(NodeConfig.Builder b) throws Exception {
        server = TestServer.start(b);
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static NodeConfig.Builder config() {
        return NodeConfig.builder()
                .topLevel(ChannelOptions.builder().presence(true).historySize(10).historyLifetime(60).build())
                .namespace("public", ChannelOptions.builder().publish(true).build());
    }

    private HttpResponse<String> post(String path, String contentType, String body, String sign) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(server.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            r.header("Content-Type", contentType);
        }
        if (sign != null) {
            r.header("X-API-Sign", sign);
        }
        return server.send(r.build());
    }

    private String sign(String body) {
        return Hmac.apiSign(TestServer.SECRET, body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertGoError(HttpResponse<String> r, int status, String text) {
        assertThat(r.statusCode()).isEqualTo(status);
        assertThat(r.body()).isEqualTo(text + "\n");
        assertThat(r.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    }

    @Test
    void gocentRequestGetsItsV1Reply() throws Exception {
        start(config());
        String body = "[{\"uid\":\"8ee40f3d-c2db-4332-5b9d-efff2f4a96ed\",\"method\":\"publish\",\"params\":"
                + "{\"channel\":\"public:chat\",\"data\":{\"text\":\"single\"}}}]";
        HttpResponse<String> r = post("/api/", "application/json", body, sign(body));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(r.body()).isEqualTo("[{\"uid\":\"8ee40f3d-c2db-4332-5b9d-efff2f4a96ed\",\"method\":\"publish\","
                + "\"error\":null,\"body\":null}]");
        // the decoder takes an empty batch here (a client frame may not be empty): 200 with an empty array
        HttpResponse<String> empty = post("/api/", "application/json", "[]", sign("[]"));
        assertThat(empty.statusCode()).isEqualTo(200);
        assertThat(empty.body()).isEqualTo("[]");
    }

    @Test
    void signatureAndPayloadChecksAnswerInV1Order() throws Exception {
        start(config());
        String body = "{\"method\":\"channels\"}";
        assertGoError(post("/api/", "application/json", body, null), 400, "Bad Request");
        assertGoError(post("/api/", "application/json", "", sign("")), 400, "Bad Request");
        assertGoError(post("/api/", "application/json", body, sign("other")), 401, "Unauthorized");
        assertGoError(post("/api/", "application/json", body, sign(body).toUpperCase()), 401, "Unauthorized");
        assertGoError(post("/api/", "application/json", body, "abc"), 401, "Unauthorized");
        assertGoError(server.api(" {\"method\":\"channels\"}"), 400, "Bad Request");
        assertGoError(server.api("{\"method\":\"foo\"}"), 400, "Bad Request");
        assertGoError(server.api("{}"), 400, "Bad Request");
        assertGoError(server.api("{\"method\":\"presence\"}"), 400, "Bad Request");
        assertGoError(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"\",\"data\":1}}"), 400, "Bad Request");
        assertGoError(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"x\"}}"), 400, "Bad Request");
    }

    @Test
    void aJsonBodyWithoutTheJsonContentTypeIsReadAsAFormAndRefused() throws Exception {
        start(config());
        String body = "{\"method\":\"channels\"}";
        // v1 compat: any other content type means the form variant, where this body has neither data nor sign
        assertGoError(post("/api/", null, body, sign(body)), 400, "Bad Request");
        assertGoError(post("/api/", "text/plain", body, sign(body)), 400, "Bad Request");
    }

    @Test
    void emptySecretRejectsSignedRequests() throws Exception {
        start(config());
        server.server().reload(server.server().node().config().toBuilder().secret("").build());
        String body = "{\"method\":\"channels\"}";
        assertGoError(post("/api/", "application/json", body, Hmac.apiSign("", body.getBytes(StandardCharsets.UTF_8))),
                400, "Bad Request");
    }

    @Test
    void insecureApiNeedsNoSignature() throws Exception {
        start(config().insecureApi(true));
        HttpResponse<String> r = post("/api/", "application/json", "{\"method\":\"channels\"}", null);
        assertThat(r.statusCode()).isEqualTo(200);
    }

    @Test
    void formVariantWorksInTheBodyAndTheQueryString() throws Exception {
        start(config());
        String data = "{\"method\":\"channels\"}";
        String form = "data=" + URLEncoder.encode(data, StandardCharsets.UTF_8) + "&sign=" + sign(data);
        HttpResponse<String> r = post("/api/", "application/x-www-form-urlencoded", form, null);
        assertThat(r.body()).isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
        HttpResponse<String> get = server.send(HttpRequest.newBuilder(server.uri("/api/?" + form)).GET().build());
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo(r.body());
    }

    @Test
    void apiIsAPrefixAndTheBarePathRedirects() throws Exception {
        start(config());
        String body = "{\"method\":\"channels\"}";
        assertThat(post("/api/anything", "application/json", body, sign(body)).statusCode()).isEqualTo(200);
        HttpResponse<String> redirect = server.send(HttpRequest.newBuilder(server.uri("/api")).GET().build());
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/api/");
        assertGoError(server.send(HttpRequest.newBuilder(server.uri("/nope")).GET().build()), 404, "404 page not found");
    }

    @Test
    void shuttingDownAnswers503() throws Exception {
        start(config());
        server.server().markShuttingDown();
        HttpResponse<String> api = server.api("{\"method\":\"channels\"}");
        assertThat(api.statusCode()).isEqualTo(503);
        assertThat(api.body()).isEmpty();
        HttpResponse<String> ws = server.send(HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + server.server().boundPort() + "/connection/websocket")).GET().build());
        assertThat(ws.statusCode()).isEqualTo(503);
    }

    /** A client connected as {@code user} and subscribed to {@code channels}; the caller aborts it. */
    private WsTestClient subscriber(String user, String... channels) throws Exception {
        WsTestClient c = WsTestClient.connect(java.net.URI.create(server.wsUrl()), WAIT);
        c.send(server.connectFrame("c", user, ""));
        assertThat(c.awaitFrame(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
        for (String channel : channels) {
            c.send("{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}");
            assertThat(c.awaitFrame(WAIT)).contains("\"status\":true");
        }
        return c;
    }

    @Test
    void aGocentBatchOfEveryMethodGetsOneReplyPerCommandThatGocentCanDecode() throws Exception {
        start(config());
        WsTestClient c = subscriber("go-user", "go");
        try {
            // exactly what gocent v1.0.1 sends (gocent-wire.md): compact, keys uid/method/params, params sorted
            String[][] commands = {
                    {"publish", "{\"channel\":\"go\",\"data\":{\"text\":\"batch1\"}}"},
                    {"publish", "{\"channel\":\"go\",\"client\":\"go-client\",\"data\":{\"text\":\"batch2\"}}"},
                    {"broadcast", "{\"channels\":[\"go\",\"go2\"],\"data\":{\"text\":\"batch3\"}}"},
                    {"broadcast", "{\"channels\":[\"go\"],\"client\":\"go-client\",\"data\":{\"text\":\"batch4\"}}"},
                    {"presence", "{\"channel\":\"go\"}"},
                    {"history", "{\"channel\":\"go\"}"},
                    {"channels", "{}"},
                    {"stats", "{}"},
                    {"unsubscribe", "{\"channel\":\"go\",\"user\":\"go-user\"}"}};
            JsonNode replies = gocentSend(commands);
            JsonNode presence = replies.get(4).get("body").get("data");
            assertThat(presence.size()).isEqualTo(1);
            assertThat(presence.elements().next().get("user").asText()).isEqualTo("go-user");
            JsonNode history = replies.get(5).get("body").get("data");
            assertThat(history).extracting(m -> m.get("data").get("text").asText())
                    .containsExactly("batch4", "batch3", "batch2", "batch1");
            assertThat(history).allSatisfy(m -> assertThat(m.has("timestamp")).isFalse());
            assertThat(history.get(0).get("client").asText()).isEqualTo("go-client");
            assertThat(history.get(3).has("client")).isFalse();
            assertThat(replies.get(6).get("body").get("data")).extracting(JsonNode::asText).containsExactly("go");
            // gocent decodes every metric into an int64: no fractions, no strings
            JsonNode metrics = replies.get(7).get("body").get("data").get("nodes").get(0).get("metrics");
            assertThat(metrics.size()).isEqualTo(74);
            metrics.fields().forEachRemaining(e -> assertThat(e.getValue().isIntegralNumber()).as(e.getKey()).isTrue());
            assertThat(replies.get(7).get("body").get("data").get("metrics_interval").isIntegralNumber()).isTrue();
            // subscribers saw the batch in batch order, then the unsubscribe push and the disconnect
            assertThat(List.of(c.awaitFrame(WAIT), c.awaitFrame(WAIT), c.awaitFrame(WAIT), c.awaitFrame(WAIT)))
                    .extracting(f -> JSON.readTree(f).get("body").get("data").get("text").asText())
                    .containsExactly("batch1", "batch2", "batch3", "batch4");
            assertThat(c.awaitFrame(WAIT)).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"go\",\"status\":true}}");
            // a disconnect in the same batch could overtake these pushes: v1 drops what is still queued at close (§3)
            gocentSend(new String[][] {{"disconnect", "{\"user\":\"go-user\"}"}});
            assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, "{\"reason\":\"disconnect\",\"reconnect\":false}"));
        } finally {
            c.abort();
        }
    }

    /** Sends commands (method, params) as gocent does and checks what gocent checks: status, length, order, error. */
    private JsonNode gocentSend(String[][] commands) throws Exception {
        StringBuilder body = new StringBuilder("[");
        for (int i = 0; i < commands.length; i++) {
            body.append(i == 0 ? "" : ",").append("{\"uid\":\"8ee40f3d-c2db-4332-5b9d-efff2f4a96e").append(i)
                    .append("\",\"method\":\"").append(commands[i][0]).append("\",\"params\":").append(commands[i][1])
                    .append('}');
        }
        body.append(']');
        HttpResponse<String> r = post("/api/", "application/json", body.toString(), sign(body.toString()));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode replies = JSON.readTree(r.body());
        assertThat(replies.isArray()).isTrue();
        assertThat(replies).hasSize(commands.length);
        for (int i = 0; i < commands.length; i++) {
            JsonNode reply = replies.get(i);
            assertThat(reply.get("uid").asText()).isEqualTo("8ee40f3d-c2db-4332-5b9d-efff2f4a96e" + i);
            assertThat(reply.get("method").asText()).isEqualTo(commands[i][0]);
            assertThat(reply.get("error").isNull()).as(reply.toString()).isTrue();
        }
        return replies;
    }

    @Test
    void anApiPortOfItsOwnServesTheApiThereOnly() throws Exception {
        int apiPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            apiPort = s.getLocalPort();
        }
        server = TestServer.start(config(), ServerConfig.builder().apiPort(Integer.toString(apiPort)));
        assertThat(server.server().boundApiPort()).isEqualTo(apiPort);
        assertThat(server.api("[]").statusCode()).isEqualTo(200);
        String body = "{\"method\":\"channels\"}";
        HttpResponse<String> onClientPort = server.send(HttpRequest.newBuilder(java.net.URI.create(
                "http://127.0.0.1:" + server.server().boundPort() + "/api/")).header("Content-Type", "application/json")
                .header("X-API-Sign", sign(body)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
        assertGoError(onClientPort, 404, "404 page not found");
        WsTestClient c = WsTestClient.connect(java.net.URI.create(server.wsUrl()), WAIT);
        c.abort();
        assertThat(server.send(HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + apiPort
                + "/connection/websocket")).GET().build()).statusCode()).isEqualTo(404);
    }
}
