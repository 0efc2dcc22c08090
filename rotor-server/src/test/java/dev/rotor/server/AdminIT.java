package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.auth.AdminTokens;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.admin.LoginThrottleConfig;
import dev.rotor.testkit.WsTestClient;
import java.io.RandomAccessFile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin socket, web login and web interface (admin-and-web.md). */
class AdminIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private TestServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private TestServer start(NodeConfig.Builder node, ServerConfig.Builder sc) throws Exception {
        server = TestServer.start(node.adminPassword("pass").adminSecret("admin-secret"), sc);
        return server;
    }

    private WsTestClient socket() {
        return WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.server().boundAdminPort() + "/socket"), WAIT);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return server.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.server().boundAdminPort() + path)).GET().build());
    }

    private static String close(String reason) {
        return "{\"reason\":\"" + reason + "\",\"reconnect\":true}";
    }

    @Test
    void webLoginExchangesThePasswordForAToken() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().web(true));
        assertThat(get("/auth/?password=wrong").statusCode()).isEqualTo(400);
        HttpResponse<String> ok = server.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.server().boundAdminPort() + "/auth/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=pass")).build());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ok.body()).matches("\\{\"token\":\"[A-Za-z0-9_=-]+\"}\n");
        String token = ok.body().replaceAll(".*\"token\":\"([^\"]+)\".*\\s*", "$1");
        assertThat(AdminTokens.verify("admin-secret", token, System.currentTimeMillis() / 1000)).isTrue();
    }

    @Test
    void passwordGuessesSlowDownAndTheRightPasswordStillWorks() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().web(true)
                .loginThrottle(LoginThrottleConfig.builder().firstDelayMillis(250).maxDelayMillis(2000).build()));
        // each wrong guess is answered no sooner than its delay, which doubles (lower bounds only: never flaky)
        for (long delay : new long[] {250, 500, 1000, 2000}) {
            long start = System.nanoTime();
            HttpResponse<String> r = login("wrong");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(tookMillis).as("answer to a guess held for %d ms", delay).isGreaterThanOrEqualTo(delay);
        }
        // while a guess is held (2 s now), another attempt from the same address is refused without being checked
        CompletableFuture<HttpResponse<String>> first = loginAsync("wrong");
        CompletableFuture<HttpResponse<String>> second = loginAsync("wrong");
        assertThat(List.of(first.get(10, TimeUnit.SECONDS).statusCode(), second.get(10, TimeUnit.SECONDS).statusCode()))
                .containsExactlyInAnyOrder(400, 429);
        HttpResponse<String> refused = first.get().statusCode() == 429 ? first.get() : second.get();
        assertThat(refused.body()).isEqualTo("Too Many Requests\n");
        assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");

        HttpResponse<String> ok = login("pass");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).matches("\\{\"token\":\"[A-Za-z0-9_=-]+\"}\n");
    }

    private HttpRequest loginRequest(String password) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().boundAdminPort() + "/auth/"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=" + password)).build();
    }

    private HttpResponse<String> login(String password) throws Exception {
        return server.send(loginRequest(password));
    }

    private CompletableFuture<HttpResponse<String>> loginAsync(String password) {
        return http.sendAsync(loginRequest(password), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void insecureAdminHandsOutTheInsecureTokenAndNeedsNoConnect() throws Exception {
        start(NodeConfig.builder().insecureAdmin(true), ServerConfig.builder().web(true));
        assertThat(get("/auth/").body()).isEqualTo("{\"token\":\"insecure\"}\n");
        WsTestClient ws = socket();
        ws.send("{\"uid\":\"p\",\"method\":\"ping\"}");
        assertThat(ws.awaitFrame(WAIT)).isEqualTo("[{\"uid\":\"p\",\"method\":\"ping\",\"error\":null,\"body\":\"pong\"}]");
        ws.abort();
    }

    @Test
    void commandsBeforeConnectAreUnauthorizedWithReconnectAdvice() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().admin(true));
        WsTestClient ws = socket();
        ws.send("{\"method\":\"stats\"}");
        assertThat(ws.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, close("unauthorized")));
        WsTestClient bad = socket();
        bad.send("{\"method\":\"connect\",\"params\":{\"token\":\"forged\"}}");
        assertThat(bad.awaitClose(WAIT).reason()).isEqualTo(close("unauthorized"));
    }

    @Test
    void watchingAdminRunsApiCommandsAndSeesWatchMessagesFirst() throws Exception {
        start(NodeConfig.builder().namespace("pub", ChannelOptions.builder().watch(true).build()),
                ServerConfig.builder().admin(true));
        WsTestClient ws = socket();
        String token = AdminTokens.issue("admin-secret", System.currentTimeMillis() / 1000);
        ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\",\"watch\":true}}");
        assertThat(ws.awaitFrame(WAIT)).isEqualTo("[{\"uid\":\"1\",\"method\":\"connect\",\"error\":null,\"body\":true}]");

        ws.send("{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"pub:x\",\"data\":{\"w\": 1},\"uid\":\"W1\"}}");
        assertThat(ws.awaitFrame(WAIT))
                .isEqualTo("{\"method\":\"message\",\"error\":null,\"body\":{\"uid\":\"W1\",\"channel\":\"pub:x\",\"data\":{\"w\":1}}}");
        assertThat(ws.awaitFrame(WAIT)).isEqualTo("[{\"uid\":\"2\",\"method\":\"publish\",\"error\":null,\"body\":null}]");

        ws.send("[{\"method\":\"channels\"},{\"method\":\"presence\",\"params\":{\"channel\":\"pub:x\"}}]");
        assertThat(ws.awaitFrame(WAIT)).isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}},"
                + "{\"method\":\"presence\",\"error\":\"not available\",\"body\":{\"channel\":\"pub:x\",\"data\":null}}]");

        ws.send("{\"method\":\"info\"}");
        String info = ws.awaitFrame(WAIT);
        assertThat(info).startsWith("[{\"method\":\"info\",\"error\":null,\"body\":{\"data\":{\"version\":\"")
                .contains("\"engine\":\"In memory – single node only\"", "\"ping_interval\":25000000000",
                        "\"secret\":\"" + TestServer.SECRET + "\"", "\"client_channel_separator\":\"\\u0026\"",
                        "\"namespaces\":[{\"name\":\"pub\",\"watch\":true,")
                .doesNotContain("admin-secret").doesNotContain("\"pass\"");

        ws.send("{\"method\":\"nope\"}");
        assertThat(ws.awaitClose(WAIT).reason()).isEqualTo(close("method not found"));
    }

    /**
     * Only a connection that logged in with {@code watch} listens to the node's admin messages: an upgraded
     * {@code /socket} that has not logged in (anyone on the port can open one) costs the node nothing. Before, every
     * such connection was added to the node's listener list, whose every add and remove copies it.
     */
    @Test
    void onlyWatchingAdminConnectionsListenToTheNode() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().admin(true));
        dev.rotor.node.Node node = server.server().node();
        String token = AdminTokens.issue("admin-secret", System.currentTimeMillis() / 1000);
        WsTestClient idle = socket();
        WsTestClient plain = socket();
        plain.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\"}}");
        assertThat(plain.awaitFrame(WAIT)).contains("\"body\":true");
        assertThat(node.adminListenerCount()).isZero();

        WsTestClient watching = socket();
        watching.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"token\":\"" + token
                + "\",\"watch\":true}}");
        assertThat(watching.awaitFrame(WAIT)).contains("\"body\":true");
        assertThat(node.adminListenerCount()).isEqualTo(1);
        watching.abort();
        org.awaitility.Awaitility.await("the listener removed").atMost(WAIT)
                .until(() -> node.adminListenerCount() == 0);
        idle.abort();
        plain.abort();
    }

    @Test
    void nodeLiveReportsThisNodesCountersAsOfNow() throws Exception {
        start(NodeConfig.builder().name("live-node"), ServerConfig.builder().web(true));
        WsTestClient ws = socket();
        String token = AdminTokens.issue("admin-secret", System.currentTimeMillis() / 1000);
        ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\",\"watch\":true}}");
        ws.awaitFrame(WAIT);
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"a\",\"data\":{}}}");
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"a\",\"data\":{}}}");
        long before = System.currentTimeMillis();

        ws.send("{\"uid\":\"2\",\"method\":\"node_live\"}");
        JsonNode reply = new ObjectMapper().readTree(ws.awaitFrame(WAIT)).get(0);
        assertThat(reply.get("error").isNull()).isTrue();
        JsonNode data = reply.at("/body/data");
        assertThat(data.get("name").asText()).isEqualTo("live-node");
        assertThat(reply.at("/body/time_ms").asLong()).isBetween(before, System.currentTimeMillis());
        JsonNode m = data.get("metrics");
        // the API requests counted cumulatively at once, not at the end of node_metrics_interval
        assertThat(m.get("http_api_num_requests").asLong()).isEqualTo(2);
        assertThat(m.get("node_num_client_msg_published").asLong()).isEqualTo(2);
        assertThat(m.get("node_process_cpu_nanos").asLong()).isPositive();
        assertThat(m.get("node_memory_heap_alloc").asLong()).isPositive();
        assertThat(m.get("node_num_goroutine").asLong()).isPositive();
    }

    @Test
    void adminEndpointsLiveOnlyOnTheAdminPort() throws Exception {
        int adminPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            adminPort = s.getLocalPort();
        }
        server = TestServer.start(NodeConfig.builder().adminSecret("admin-secret"),
                ServerConfig.builder().admin(true).adminPort(Integer.toString(adminPort)));
        assertThat(server.server().boundAdminPort()).isEqualTo(adminPort);
        assertThat(server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/socket")).GET()
                .build()).statusCode()).isEqualTo(200);
        assertThat(server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().boundPort()
                + "/socket")).GET().build()).statusCode()).isEqualTo(404);
        assertThat(server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort
                + "/connection/websocket")).GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void webInterfaceIsServedFromWebPathWithoutEscaping() throws Exception {
        Path web = Files.createDirectories(dir.resolve("web"));
        Files.writeString(web.resolve("index.html"), "<h1>admin</h1>");
        Files.writeString(dir.resolve("secret.txt"), "outside");
        start(NodeConfig.builder(), ServerConfig.builder().web(true).webPath(web.toString()));
        HttpResponse<String> index = get("/");
        assertThat(index.statusCode()).isEqualTo(200);
        assertThat(index.body()).isEqualTo("<h1>admin</h1>");
        assertThat(index.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(get("/../secret.txt").statusCode()).isEqualTo(404);
        assertThat(get("/%2e%2e/secret.txt").statusCode()).isEqualTo(404);
        assertThat(get("/missing.js").body()).isEqualTo("404 page not found\n");
    }

    /** Each request reads its file whole: a file past the cap is not served (a sparse file: no disk used). */
    @Test
    void aWebPathFileLargerThanTheCapIsNotServed() throws Exception {
        Path web = Files.createDirectories(dir.resolve("web"));
        Files.writeString(web.resolve("small.txt"), "ok");
        try (RandomAccessFile f = new RandomAccessFile(web.resolve("big.bin").toFile(), "rw")) {
            f.setLength(16L * 1024 * 1024 + 1);
        }
        start(NodeConfig.builder(), ServerConfig.builder().web(true).webPath(web.toString()));
        assertThat(get("/small.txt").body()).isEqualTo("ok");
        HttpResponse<String> big = get("/big.bin");
        assertThat(big.statusCode()).isEqualTo(404);
        assertThat(big.body()).isEqualTo("404 page not found\n");
    }

    @Test
    void prometheusMetricsAreServedWhenEnabled() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().prometheus(true));
        server.api("{\"method\":\"channels\"}");
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(r.body()).containsPattern("(?m)^rotor_http_requests_total\\{endpoint=\"api\"} [1-9]")
                .contains("rotor_node_clients").contains("rotor_http_api_request_duration_seconds_bucket")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void metricsAreNotServedByDefault() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder());
        assertThat(get("/metrics").statusCode()).isEqualTo(404);
    }
}
