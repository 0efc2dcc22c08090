package dev.rotor.server;

import dev.rotor.engine.memory.MemoryEngine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.Engine;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.NodeScript;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real Centrifugo v1 JavaScript client ({@code centrifuge@1.5.0} from npm, run under Node by the scripts in
 * {@code src/test/js/scenarios}) against an in-process Rotor server over raw WebSocket. Each test starts a server
 * with the channel options its scenario needs, runs one script and asserts on the JSON events it printed.
 * Expected values follow client-protocol.md (§5 methods, §6 client info and messages, §8 pushes).
 */
class V1JavaScriptClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "v1-js-client-it-secret";
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration EVENT_TIMEOUT = Duration.ofSeconds(15);
    private static final String ALICE_INFO = "{\"name\":\"Alice\"}";
    private static final String BOB_INFO = "{\"name\":\"Bob\"}";
    private static final String UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    /** Null until {@link #startServer}; stopped after each test. */
    private RotorServer server;
    /** Null until {@link #startServer}. */
    private Engine engine;
    /** The application backend serving auth/refresh endpoints; null unless a test starts it. */
    private HttpServer backend;
    /** Failures inside backend endpoints (they answer 500); asserted empty after each test. */
    private final List<Throwable> backendErrors = new CopyOnWriteArrayList<>();
    private NodeConfig config;
    private String wsUrl;
    private ApiTestClient api;

    @AfterEach
    void stopAll() throws Exception {
        if (backend != null) {
            backend.stop(0);
        }
        if (server != null) {
            server.shutdown().get(10, TimeUnit.SECONDS);
        }
        if (engine != null) {
            engine.close();
        }
        assertThat(backendErrors).as("errors in the backend endpoints").isEmpty();
    }

    // --- connect -------------------------------------------------------------------------------------------------

    @Test
    void connectWithValidTokenGetsAClientIdOverRawWebSocket() {
        startServer(NodeConfig.builder().secret(SECRET).build());

        try (NodeScript script = NodeScript.start("scenarios/connect.js", params(alice()))) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            JsonNode connect = only(script, "connect");
            String client = connect.path("client").asText();
            assertThat(client).matches(UUID_PATTERN);
            assertThat(connect.path("transport").asText()).isEqualTo("raw-websocket");
            // §5.1: all five fields, expires false and ttl 0 without connection_lifetime; no error, no advice.
            assertThat(only(script, "connect_reply").path("reply")).isEqualTo(json(
                    "{\"uid\":\"1\",\"method\":\"connect\",\"body\":{\"version\":\"" + config.version()
                            + "\",\"client\":\"" + client + "\",\"expires\":false,\"expired\":false,\"ttl\":0}}"));
        }
    }

    @Test
    void connectWithWrongTokenIsRefusedWithInvalidTokenAdvice() {
        startServer(NodeConfig.builder().secret(SECRET).build());
        Map<String, Object> params = params(alice());
        params.put("token", "0".repeat(64));
        params.put("expectDisconnect", true);

        try (NodeScript script = NodeScript.start("scenarios/connect.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            // §9: close 3000 with {"reason":"invalid token","reconnect":false}, which the client turns into this.
            assertThat(only(script, "disconnect")).isEqualTo(json(
                    "{\"event\":\"disconnect\",\"who\":\"A\",\"reason\":\"invalid token\",\"reconnect\":false}"));
            assertThat(script.events("connect")).isEmpty();
        }
    }

    // --- subscribe and receive -----------------------------------------------------------------------------------

    @Test
    void subscribedClientReceivesMessagesPublishedThroughTheHttpApi() {
        startServer(NodeConfig.builder().secret(SECRET).build());
        Map<String, Object> params = params(alice());
        params.put("channel", "news");
        params.put("count", 2);

        try (NodeScript script = NodeScript.start("scenarios/subscribe.js", params)) {
            assertThat(script.awaitEvent("subscribe", EVENT_TIMEOUT)).isEqualTo(json(
                    "{\"event\":\"subscribe\",\"who\":\"A\",\"channel\":\"news\",\"isResubscribe\":false,"
                            + "\"recovered\":false}"));
            api.publish("news", "{\"text\":\"first\"}", "m1");
            api.publish("news", "{\"text\":\"second\"}", "m2");
            script.awaitSuccess(SCRIPT_TIMEOUT);

            // §8: API publications carry neither client nor info.
            assertThat(bodies(script, "message")).containsExactly(
                    json("{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"text\":\"first\"}}"),
                    json("{\"uid\":\"m2\",\"channel\":\"news\",\"data\":{\"text\":\"second\"}}"));
        }
    }

    // --- client publish ------------------------------------------------------------------------------------------

    @Test
    void clientPublishIsDeliveredBackWithTheClientInfo() {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().publish(true).build()).build());
        Map<String, Object> params = params(alice());
        params.put("channel", "news");
        params.put("data", Map.of("input", "hello"));

        try (NodeScript script = NodeScript.start("scenarios/publish.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            String client = only(script, "connect").path("client").asText();
            assertThat(only(script, "publish").path("body"))
                    .isEqualTo(json("{\"channel\":\"news\",\"status\":true}"));
            ObjectNode message = only(script, "message").path("body").deepCopy();
            // §6.2: server-generated uid, 22 characters of base62.
            assertThat(message.remove("uid").asText()).matches("[0-9A-Za-z]{22}");
            assertThat(message).isEqualTo(json("{\"channel\":\"news\",\"data\":{\"input\":\"hello\"},\"client\":\""
                    + client + "\",\"info\":{\"user\":\"alice\",\"client\":\"" + client
                    + "\",\"default_info\":{\"name\":\"Alice\"}}}"));
        }
    }

    @Test
    void clientPublishWithoutThePublishOptionIsPermissionDenied() {
        startServer(NodeConfig.builder().secret(SECRET).build());
        Map<String, Object> params = params(alice());
        params.put("channel", "news");
        params.put("data", Map.of("input", "hello"));

        try (NodeScript script = NodeScript.start("scenarios/publish.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            assertThat(only(script, "publish_error")).isEqualTo(json("{\"event\":\"publish_error\",\"who\":\"A\","
                    + "\"channel\":\"news\",\"error\":\"permission denied\",\"advice\":\"fix\"}"));
            assertThat(script.events("message")).isEmpty();
        }
    }

    // --- presence and history ------------------------------------------------------------------------------------

    @Test
    void presenceListsTheSubscribedClientWithItsInfo() {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().presence(true).build()).build());
        Map<String, Object> params = params(alice());
        params.put("channel", "news");

        try (NodeScript script = NodeScript.start("scenarios/presence.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            String client = only(script, "connect").path("client").asText();
            // §5.6: data keyed by client id; values in the serialised client-info rendering (§6.1).
            assertThat(only(script, "presence").path("body")).isEqualTo(json("{\"channel\":\"news\",\"data\":{\""
                    + client + "\":{\"user\":\"alice\",\"client\":\"" + client
                    + "\",\"default_info\":{\"name\":\"Alice\"}}}}"));
        }
    }

    @Test
    void historyReturnsMessagesPublishedThroughTheApiNewestFirst() {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().historySize(10).historyLifetime(60).build()).build());
        api.publish("news", "{\"n\":1}", "h1");
        api.publish("news", "{\"n\":2}", "h2");
        Map<String, Object> params = params(alice());
        params.put("channel", "news");

        try (NodeScript script = NodeScript.start("scenarios/history.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            // §5.7: newest first, serialised message rendering (§6.2).
            assertThat(only(script, "history").path("body")).isEqualTo(json("{\"channel\":\"news\",\"data\":["
                    + "{\"uid\":\"h2\",\"channel\":\"news\",\"data\":{\"n\":2}},"
                    + "{\"uid\":\"h1\",\"channel\":\"news\",\"data\":{\"n\":1}}]}"));
        }
    }

    // --- join and leave ------------------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"disconnect", "unsubscribe"})
    void joinAndLeaveOfAnotherClientAreDelivered(String leaveBy) {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().joinLeave(true).build()).build());
        Map<String, Object> params = params(alice());
        params.put("second", credentials("bob", BOB_INFO));
        params.put("channel", "chat");
        params.put("leaveBy", leaveBy);

        try (NodeScript script = NodeScript.start("scenarios/join-leave.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            String alice = clientOf(script, "A");
            String bob = clientOf(script, "B");
            // §8: join/leave data is the client info; A sees its own join (§5.3) and B's join and leave.
            List<JsonNode> joinsSeenByA = script.events("join").stream()
                    .filter(e -> e.path("who").asText().equals("A")).map(e -> e.path("body")).toList();
            assertThat(joinsSeenByA).containsExactlyInAnyOrder(
                    json("{\"channel\":\"chat\",\"data\":{\"user\":\"alice\",\"client\":\"" + alice
                            + "\",\"default_info\":{\"name\":\"Alice\"}}}"),
                    json("{\"channel\":\"chat\",\"data\":{\"user\":\"bob\",\"client\":\"" + bob
                            + "\",\"default_info\":{\"name\":\"Bob\"}}}"));
            assertThat(script.events("leave").stream().filter(e -> e.path("who").asText().equals("A"))
                    .map(e -> e.path("body")).toList()).containsExactly(
                    json("{\"channel\":\"chat\",\"data\":{\"user\":\"bob\",\"client\":\"" + bob
                            + "\",\"default_info\":{\"name\":\"Bob\"}}}"));
        }
    }

    // --- private channels ----------------------------------------------------------------------------------------

    @Test
    void privateChannelIsAuthorizedThroughTheAuthEndpoint() throws IOException {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().presence(true).build()).build());
        String channelInfo = "{\"role\":\"admin\"}";
        List<JsonNode> authRequests = new CopyOnWriteArrayList<>();
        startBackend("/centrifuge/auth/", request -> {
            authRequests.add(request);
            String client = request.path("client").asText();
            ObjectNode reply = JSON.createObjectNode();
            for (JsonNode channel : request.path("channels")) {
                // §4: sign = hex(HMAC-SHA256(secret, client + channel + info)).
                reply.putObject(channel.asText())
                        .put("sign", ApiTestClient.hmacSha256Hex(SECRET, client + channel.asText() + channelInfo))
                        .put("info", channelInfo);
            }
            return reply;
        });
        Map<String, Object> params = params(alice());
        params.put("channel", "$secret");
        params.put("authEndpoint", backendUrl("/centrifuge/auth/"));
        params.put("presence", true);
        params.put("count", 1);

        try (NodeScript script = NodeScript.start("scenarios/private-channel.js", params)) {
            script.awaitEvent("subscribe", EVENT_TIMEOUT);
            api.publish("$secret", "{\"secret\":true}", "p1");
            script.awaitSuccess(SCRIPT_TIMEOUT);

            String client = only(script, "connect").path("client").asText();
            assertThat(authRequests).containsExactly(
                    json("{\"client\":\"" + client + "\",\"channels\":[\"$secret\"]}"));
            // §6.1: the private subscribe's info becomes channel_info.
            assertThat(only(script, "presence").path("body")).isEqualTo(json("{\"channel\":\"$secret\",\"data\":{\""
                    + client + "\":{\"user\":\"alice\",\"client\":\"" + client
                    + "\",\"default_info\":{\"name\":\"Alice\"},\"channel_info\":{\"role\":\"admin\"}}}}"));
            assertThat(bodies(script, "message")).containsExactly(
                    json("{\"uid\":\"p1\",\"channel\":\"$secret\",\"data\":{\"secret\":true}}"));
        }
    }

    @Test
    void privateChannelWithAWrongSignIsPermissionDenied() throws IOException {
        startServer(NodeConfig.builder().secret(SECRET).build());
        startBackend("/centrifuge/auth/", request -> {
            ObjectNode reply = JSON.createObjectNode();
            for (JsonNode channel : request.path("channels")) {
                reply.putObject(channel.asText())
                        .put("sign", ApiTestClient.hmacSha256Hex("not-the-secret", "anything"))
                        .put("info", "");
            }
            return reply;
        });
        Map<String, Object> params = params(alice());
        params.put("channel", "$secret");
        params.put("authEndpoint", backendUrl("/centrifuge/auth/"));
        params.put("expectSubscribeError", true);

        try (NodeScript script = NodeScript.start("scenarios/private-channel.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);

            // §5.3 step 8.
            assertThat(only(script, "subscribe_error")).isEqualTo(json("{\"event\":\"subscribe_error\",\"who\":\"A\","
                    + "\"channel\":\"$secret\",\"error\":\"permission denied\",\"advice\":\"fix\","
                    + "\"isResubscribe\":false}"));
        }
    }

    // --- refresh -------------------------------------------------------------------------------------------------

    @Test
    void clientRefreshesItsCredentialsAndStaysConnectedPastTheLifetime() throws IOException {
        // With lifetime 2 and close delay 3, a connection that is not refreshed is closed at most 5 s after
        // connect (§5.1); the script stays connected for three refreshes (about 6 s), then receives a message.
        startServer(NodeConfig.builder().secret(SECRET).connectionLifetime(2).expiredConnectionCloseDelay(3).build());
        AtomicInteger refreshRequests = new AtomicInteger();
        startBackend("/centrifuge/refresh/", request -> {
            refreshRequests.incrementAndGet();
            return JSON.valueToTree(credentials("alice", ALICE_INFO));
        });
        Map<String, Object> params = params(alice());
        params.put("channel", "news");
        params.put("refreshEndpoint", backendUrl("/centrifuge/refresh/"));
        params.put("refreshes", 3);
        params.put("count", 1);

        try (NodeScript script = NodeScript.start("scenarios/refresh.js", params)) {
            script.awaitEvent("refreshed", SCRIPT_TIMEOUT);
            api.publish("news", "{\"still\":\"here\"}", "r1");
            script.awaitSuccess(SCRIPT_TIMEOUT);

            String client = only(script, "connect").path("client").asText();
            String expected = "{\"version\":\"" + config.version() + "\",\"client\":\"" + client
                    + "\",\"expires\":true,\"expired\":false,\"ttl\":2}";
            assertThat(only(script, "connect_reply").path("reply").path("body")).isEqualTo(json(expected));
            List<JsonNode> refreshReplies = script.events("refresh_reply");
            assertThat(refreshReplies).hasSizeGreaterThanOrEqualTo(3);
            // §5.2: the refresh reply keeps the connection's client id.
            refreshReplies.forEach(r -> {
                assertThat(r.path("reply").path("method").asText()).isEqualTo("refresh");
                assertThat(r.path("reply").has("error")).isFalse();
                assertThat(r.path("reply").path("body")).isEqualTo(json(expected));
            });
            assertThat(refreshRequests.get()).isGreaterThanOrEqualTo(3);
            assertThat(script.events("disconnect")).isEmpty();
            assertThat(bodies(script, "message")).containsExactly(
                    json("{\"uid\":\"r1\",\"channel\":\"news\",\"data\":{\"still\":\"here\"}}"));
        }
    }

    // --- recovery ------------------------------------------------------------------------------------------------

    @Test
    void messagesMissedWhileDisconnectedAreRecoveredOnResubscribe() {
        startServer(NodeConfig.builder().secret(SECRET).topLevel(ChannelOptions.builder()
                .recover(true).historySize(10).historyLifetime(60).build()).build());
        Map<String, Object> params = params(alice());
        params.put("channel", "news");
        params.put("before", 1);
        params.put("missed", 2);
        params.put("tap", true);

        try (NodeScript script = NodeScript.start("scenarios/recover.js", params)) {
            script.awaitEvent("subscribe", EVENT_TIMEOUT);
            api.publish("news", "{\"n\":1}", "r1");
            assertThat(script.awaitEvent("disconnect", EVENT_TIMEOUT)).isEqualTo(json(
                    "{\"event\":\"disconnect\",\"who\":\"A\",\"reason\":\"connection closed\",\"reconnect\":true}"));
            api.publish("news", "{\"n\":2}", "r2");
            api.publish("news", "{\"n\":3}", "r3");
            script.send("reconnect");
            script.awaitSuccess(SCRIPT_TIMEOUT);

            // The client asked for recovery from the last uid it saw (client-protocol.md §5.3 step 11) ...
            assertThat(script.events("frame_out").stream().map(e -> e.path("data").asText())
                    .filter(f -> f.contains("\"recover\":true")))
                    .singleElement().asString().contains("\"last\":\"r1\"");
            // ... and got exactly the missed messages back, oldest first, with recovered = true.
            assertThat(bodies(script, "message")).containsExactly(
                    json("{\"uid\":\"r1\",\"channel\":\"news\",\"data\":{\"n\":1}}"),
                    json("{\"uid\":\"r2\",\"channel\":\"news\",\"data\":{\"n\":2}}"),
                    json("{\"uid\":\"r3\",\"channel\":\"news\",\"data\":{\"n\":3}}"));
            assertThat(script.events("subscribe")).containsExactly(
                    json("{\"event\":\"subscribe\",\"who\":\"A\",\"channel\":\"news\",\"isResubscribe\":false,"
                            + "\"recovered\":false}"),
                    json("{\"event\":\"subscribe\",\"who\":\"A\",\"channel\":\"news\",\"isResubscribe\":true,"
                            + "\"recovered\":true}"));
        }
    }

    // --- beyond v1: JWTs (docs/api-v2-dialect.md) ----------------------------------------------------------------

    @Test
    void jwtConnectionAndChannelTokensWorkUnchangedInTheV1Client() throws IOException {
        startServer(NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().presence(true).build()).build());
        startBackend("/centrifuge/auth/", request -> {
            String client = request.path("client").asText();
            ObjectNode reply = JSON.createObjectNode();
            for (JsonNode channel : request.path("channels")) {
                // the JWT goes where the hex sign went; its info claim replaces the info field
                reply.putObject(channel.asText()).put("sign", TestJwts.hs256(SECRET, "{\"client\":\"" + client
                        + "\",\"channel\":\"" + channel.asText() + "\",\"info\":{\"role\":\"admin\"}}"))
                        .put("info", "");
            }
            return reply;
        });
        // the client insists on a timestamp; with a JWT the server uses the claims only
        Map<String, Object> params = params(Map.of("user", "", "timestamp", "0", "info", "",
                "token", TestJwts.hs256(SECRET, "{\"sub\":\"alice\",\"info\":" + ALICE_INFO + "}")));
        params.put("channel", "$secret");
        params.put("authEndpoint", backendUrl("/centrifuge/auth/"));
        params.put("presence", true);

        try (NodeScript script = NodeScript.start("scenarios/private-channel.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);
            String client = only(script, "connect").path("client").asText();
            assertThat(only(script, "presence").path("body")).isEqualTo(json("{\"channel\":\"$secret\",\"data\":{\""
                    + client + "\":{\"user\":\"alice\",\"client\":\"" + client
                    + "\",\"default_info\":{\"name\":\"Alice\"},\"channel_info\":{\"role\":\"admin\"}}}}"));
        }
    }

    @Test
    void aJwtWithTheWrongKeyIsRefusedAsInvalidToken() {
        startServer(NodeConfig.builder().secret(SECRET).build());
        Map<String, Object> params = params(Map.of("user", "", "timestamp", "0", "info", "",
                "token", TestJwts.hs256("not-the-secret", "{\"sub\":\"alice\"}")));
        params.put("expectDisconnect", true);
        try (NodeScript script = NodeScript.start("scenarios/connect.js", params)) {
            script.awaitSuccess(SCRIPT_TIMEOUT);
            assertThat(only(script, "disconnect")).isEqualTo(json(
                    "{\"event\":\"disconnect\",\"who\":\"A\",\"reason\":\"invalid token\",\"reconnect\":false}"));
        }
    }

    // --- fixtures ------------------------------------------------------------------------------------------------

    private void startServer(NodeConfig nodeConfig) {
        config = nodeConfig;
        engine = new MemoryEngine();
        server = new RotorServer(ServerConfig.builder().address("127.0.0.1").port("0").build(), nodeConfig, engine);
        try {
            server.start();
        } catch (Exception e) {
            throw new AssertionError("Rotor server did not start: " + e, e);
        }
        int port = server.boundPort();
        assertThat(port).as("bound port").isPositive();
        wsUrl = "ws://127.0.0.1:" + port + "/connection/websocket";
        api = new ApiTestClient(URI.create("http://127.0.0.1:" + port + "/api/"), SECRET);
    }

    /** Starts the application backend on 127.0.0.1 with one JSON endpoint (centrifuge-js POSTs JSON to it). */
    private void startBackend(String path, JsonEndpoint endpoint) throws IOException {
        backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        backend.createContext(path, exchange -> respond(exchange, endpoint));
        backend.start();
    }

    private void respond(HttpExchange exchange, JsonEndpoint endpoint) throws IOException {
        try {
            JsonNode request = JSON.readTree(exchange.getRequestBody().readAllBytes());
            byte[] body = JSON.writeValueAsBytes(endpoint.handle(request));
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        } catch (IOException | RuntimeException e) {
            backendErrors.add(e);
            exchange.sendResponseHeaders(500, -1);
        } finally {
            exchange.close();
        }
    }

    private String backendUrl(String path) {
        return "http://127.0.0.1:" + backend.getAddress().getPort() + path;
    }

    /** Scenario parameters with the server URL and the given credentials at top level. */
    private Map<String, Object> params(Map<String, String> credentials) {
        Map<String, Object> params = new HashMap<>(credentials);
        params.put("url", wsUrl);
        params.put("timeoutMs", SCRIPT_TIMEOUT.toMillis() - 5000);
        return params;
    }

    private static Map<String, String> alice() {
        return credentials("alice", ALICE_INFO);
    }

    /** Connection credentials issued now: token = hex(HMAC-SHA256(secret, user + timestamp + info)) (§4). */
    private static Map<String, String> credentials(String user, String info) {
        String timestamp = Long.toString(Instant.now().getEpochSecond());
        return Map.of("user", user, "timestamp", timestamp, "info", info,
                "token", ApiTestClient.hmacSha256Hex(SECRET, user + timestamp + info));
    }

    private static JsonNode only(NodeScript script, String event) {
        List<JsonNode> events = script.events(event);
        assertThat(events).as("\"%s\" events\n%s", event, script.transcript()).hasSize(1);
        return events.get(0);
    }

    private static List<JsonNode> bodies(NodeScript script, String event) {
        return script.events(event).stream().map(e -> e.path("body")).toList();
    }

    private static String clientOf(NodeScript script, String who) {
        return script.events("connect").stream().filter(e -> e.path("who").asText().equals(who))
                .map(e -> e.path("client").asText()).findFirst()
                .orElseThrow(() -> new AssertionError("no connect event of " + who + "\n" + script.transcript()));
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** One JSON endpoint of the application backend. */
    @FunctionalInterface
    private interface JsonEndpoint {
        JsonNode handle(JsonNode request);
    }
}
