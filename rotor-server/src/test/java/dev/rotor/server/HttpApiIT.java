package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API (http-api.md, gocent-wire.md): encodings, signatures, status codes and every command's reply. */
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
    }

    @Test
    void singleCommandObjectStillGetsAnArrayAndEmptyArrayIsOk() throws Exception {
        start(config());
        assertThat(server.api("{\"method\":\"channels\"}").body())
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
        HttpResponse<String> empty = server.api("[]");
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
    void publishEchoesUidAndHistoryKeepsUidAndClient() throws Exception {
        start(config());
        assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"z\": 1},\"uid\":\"myuid\","
                + "\"client\":\"cl\"},\"uid\":\"x1\"}").body()).isEqualTo("[{\"uid\":\"x1\",\"method\":\"publish\",\"error\":null,\"body\":null}]");
        assertThat(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}").body())
                .isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":["
                        + "{\"uid\":\"myuid\",\"channel\":\"news\",\"data\":{\"z\":1},\"client\":\"cl\"}]}}]");
    }

    @Test
    void perCommandErrorsAreReportedInline() throws Exception {
        start(config());
        assertThat(server.api("[{\"method\":\"publish\",\"params\":{\"channel\":\"zz:a\",\"data\":1}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"public:a\"}},"
                + "{\"method\":\"history\",\"params\":{\"channel\":\"public:a\"}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"\"}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"x\",\"user\":\"\"}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"zz:x\",\"user\":\"u\"}},"
                + "{\"method\":\"disconnect\",\"params\":{\"user\":\"\"}}]").body())
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"namespace not found\",\"advice\":\"fix\",\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":\"not available\",\"body\":{\"channel\":\"public:a\",\"data\":null}},"
                        + "{\"method\":\"history\",\"error\":\"not available\",\"body\":{\"channel\":\"public:a\",\"data\":null}},"
                        + "{\"method\":\"presence\",\"error\":\"invalid message\",\"body\":{\"channel\":\"\",\"data\":null}},"
                        + "{\"method\":\"unsubscribe\",\"error\":\"invalid message\",\"body\":null},"
                        + "{\"method\":\"unsubscribe\",\"error\":\"namespace not found\",\"body\":null},"
                        + "{\"method\":\"disconnect\",\"error\":\"invalid message\",\"body\":null}]");
    }

    @Test
    void broadcastStopsAtTheFirstInvalidChannelKeepingEarlierOnes() throws Exception {
        start(config());
        assertThat(server.api("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"zz:b\",\"c\"],\"data\":{\"k\":1}}}").body())
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":\"namespace not found\",\"advice\":\"fix\",\"body\":null}]");
        assertThat(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"a\"}}").body()).contains("{\"k\":1}");
        assertThat(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"c\"}}").body()).contains("\"data\":[]");
        assertThat(server.api("[{\"method\":\"broadcast\",\"params\":{\"channels\":[],\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\"]}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"\"],\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"b\"],\"data\":1}}]").body())
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null},"
                        + "{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null},"
                        + "{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null},"
                        + "{\"method\":\"broadcast\",\"error\":null,\"body\":null}]");
    }

    @Test
    void presenceOfAnEmptyChannelIsAnEmptyObject() throws Exception {
        start(config());
        assertThat(server.api("{\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}").body())
                .isEqualTo("[{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":{}}}]");
    }

    @Test
    void statsListsThisNodeAndNodeReportsRawMetrics() throws Exception {
        start(config().name("node1").nodeMetricsInterval(60));
        String stats = server.api("{\"method\":\"stats\"}").body();
        String uid = server.server().node().uid();
        assertThat(stats).startsWith("[{\"method\":\"stats\",\"error\":null,\"body\":{\"data\":{\"nodes\":[{\"uid\":\"" + uid
                + "\",\"version\":\"").contains("\"name\":\"node1\",\"started_at\":").endsWith("\"metrics_interval\":60}}}]");
        String node = server.api("{\"method\":\"node\",\"uid\":\"n\"}").body();
        assertThat(node).startsWith("[{\"uid\":\"n\",\"method\":\"node\",\"error\":null,\"body\":{\"data\":{\"uid\":\"" + uid + "\"");
        assertThat(node).contains("\"http_api_num_requests\":").contains("\"client_api_15_microseconds_99.99%ile\":");
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
    void channelsListsEveryChannelWithASubscriber() throws Exception {
        start(config());
        WsTestClient a = subscriber("a", "news", "public:chat");
        WsTestClient b = subscriber("b", "news");
        try {
            JsonNode reply = JSON.readTree(server.api("{\"method\":\"channels\"}").body());
            assertThat(reply.get(0).get("error").isNull()).isTrue();
            assertThat(reply.get(0).get("body").get("data")).extracting(JsonNode::asText)
                    .containsExactlyInAnyOrder("news", "public:chat");
            a.abort();
            await().atMost(WAIT).untilAsserted(() -> assertThat(server.api("{\"method\":\"channels\"}").body())
                    .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[\"news\"]}}]"));
        } finally {
            a.abort();
            b.abort();
        }
    }

    @Test
    void broadcastWithAClientPublishesToEveryChannelWithItsOwnUid() throws Exception {
        start(config());
        WsTestClient c = subscriber("u", "a", "public:b");
        try {
            assertThat(server.api("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"public:b\"],"
                    + "\"client\":\"cl\",\"data\":{\"k\": 1}}}").body())
                    .isEqualTo("[{\"method\":\"broadcast\",\"error\":null,\"body\":null}]");
            String push = "\\{\"method\":\"message\",\"body\":\\{\"uid\":\"([0-9A-Za-z]{22})\",\"client\":\"cl\","
                    + "\"channel\":\"%s\",\"data\":\\{\"k\": 1}}}";
            Matcher first = Pattern.compile(String.format(push, "a")).matcher(c.awaitFrame(WAIT));
            Matcher second = Pattern.compile(String.format(push, "public:b")).matcher(c.awaitFrame(WAIT));
            assertThat(first.matches()).as(first.toString()).isTrue();
            assertThat(second.matches()).as(second.toString()).isTrue();
            assertThat(first.group(1)).isNotEqualTo(second.group(1));
        } finally {
            c.abort();
        }
    }

    @Test
    void aRequestLevelFailureKeepsTheEffectsOfEarlierCommands() throws Exception {
        start(config());
        assertGoError(server.api("[{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1,\"uid\":\"kept\"}},"
                + "{\"method\":\"foo\"}]"), 400, "Bad Request");
        assertThat(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}").body())
                .isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":["
                        + "{\"uid\":\"kept\",\"channel\":\"news\",\"data\":1}]}}]");
    }

    @Test
    void theSpecsBatchExampleIsAnsweredExactly() throws Exception {
        start(config());
        assertThat(server.api("[{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"a\":1}},\"uid\":\"x1\"},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}]").body())
                .isEqualTo("[{\"uid\":\"x1\",\"method\":\"publish\",\"error\":null,\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":{}}}]");
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
