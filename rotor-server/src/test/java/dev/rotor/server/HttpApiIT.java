package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HTTP API (http-api.md, gocent-wire.md): encodings, signatures, status codes and every command's reply. */
class HttpApiIT {
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
}
