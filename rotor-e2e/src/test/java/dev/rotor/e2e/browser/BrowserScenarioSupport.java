package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.Signatures;
import dev.rotor.server.RotorServer;
import dev.rotor.server.ServerConfig;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The fixture of the browser tests: one headless Chromium per test class, and per test a Rotor server (memory
 * engine, publish/presence/join-leave/history on), a {@link RecordingProxy} in front of it, the {@link PageServer}
 * with the test page and the auth endpoint, and the HTTP API client. {@link #runScenario} drives
 * {@code browser/scenario.js} through every client feature and asserts each result exactly
 * (client-protocol.md §5, §6, §8, §9); subclasses add what the transport must look like on the wire.
 *
 * <p>Confined to the test thread.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BrowserScenarioSupport {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "browser-e2e-secret";
    private static final Duration STEP = Duration.ofSeconds(45);
    private static final int SCENARIO_MS = 150_000;

    /** Null until {@link #launchBrowser}. */
    private ChromeBrowser browser;
    /** Per test (from {@link #startServers} to {@link #stopServers}); null between tests. */
    private PageServer pages;
    private RotorServer server;
    private MemoryEngine engine;
    RecordingProxy proxy;
    private ApiTestClient api;

    @BeforeAll
    void launchBrowser() {
        browser = ChromeBrowser.launch();
    }

    @AfterAll
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void stopServers() throws Exception {
        List<String> pageErrors = List.of();
        try {
            if (browser != null) {
                // A blank document drops the page's connections before the server goes away.
                browser.navigate("about:blank");
            }
        } finally {
            if (proxy != null) {
                proxy.close();
                proxy = null;
            }
            if (server != null) {
                server.shutdown().get(15, TimeUnit.SECONDS);
                server = null;
            }
            if (engine != null) {
                engine.close();
                engine = null;
            }
            if (pages != null) {
                pages.close();
                pageErrors = pages.errors();
                pages = null;
            }
        }
        assertThat(pageErrors).as("errors in the test page server").isEmpty();
    }

    /** Starts the page server, Rotor (with {@code sockjs_url} pointing at the served sockjs-client) and the proxy. */
    void startServers() throws Exception {
        pages = new PageServer(SECRET);
        NodeConfig node = NodeConfig.builder().secret(SECRET)
                .topLevel(ChannelOptions.builder().publish(true).presence(true).joinLeave(true)
                        .historySize(10).historyLifetime(120).build())
                .build();
        ServerConfig config = ServerConfig.builder().address("127.0.0.1").port("0")
                .sockjsUrl(pages.origin() + "/lib/sockjs.min.js").build();
        engine = new MemoryEngine();
        server = new RotorServer(config, node, engine);
        server.start();
        proxy = new RecordingProxy(server.boundPort());
        api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.boundApiPort() + "/api/"), SECRET);
    }

    /** The server address as the browser sees it (through the proxy). */
    String serverBase() {
        return "127.0.0.1:" + proxy.port();
    }

    /**
     * Runs the whole scenario with the client url {@code url} ({@code transport} null for raw WebSocket, else the
     * one SockJS transport allowed) and asserts every step; returns the page for transport-specific checks.
     */
    ScenarioPage runScenario(String url, String transport, String expectedTransportName) throws IOException {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("url", url);
        params.put("sockjs", transport != null);
        params.put("transport", transport);
        params.put("alice", credentials("alice", "{\"name\":\"Alice\"}"));
        params.put("bob", credentials("bob", "{\"name\":\"Bob\"}"));
        params.put("authEndpoint", "/centrifuge/auth/");
        params.put("timeoutMs", SCENARIO_MS);
        ScenarioPage page = ScenarioPage.start(browser, pages.origin() + "/", params);

        JsonNode connect = page.await("connect", Map.of("who", "A"), STEP);
        String alice = connect.path("client").asText();
        assertThat(connect.path("transport").asText()).as("transport reported by the client")
                .isEqualTo(expectedTransportName);
        if (transport != null) {
            assertThat(connect.path("sockjs").asText()).as("transport sockjs-client ended up on")
                    .isEqualTo(transport);
        }

        page.await("ready", Map.of("step", "publish"), STEP);
        JsonNode bobConnect = page.events("connect", "B").get(0);
        String bob = bobConnect.path("client").asText();
        assertThat(bobConnect.path("transport").asText()).as("transport of B").isEqualTo(expectedTransportName);
        api.publish("news", "{\"text\":\"first\"}", "m1");
        api.publish("news", "{\"text\":\"second\"}", "m2");

        page.await("ready", Map.of("step", "private"), STEP);
        api.publish("$private", "{\"secret\":true}", "p1");
        page.await("ready", Map.of("step", "disconnect"), STEP);
        JsonNode reply = api.call("{\"method\":\"disconnect\",\"params\":{\"user\":\"alice\"}}");
        assertThat(reply).isEqualTo(json("[{\"method\":\"disconnect\",\"error\":null,\"body\":null}]"));
        page.await("done", Map.of(), STEP);

        assertScenario(page, alice, bob);
        return page;
    }

    private void assertScenario(ScenarioPage page, String alice, String bob) {
        String aliceInfo = "{\"user\":\"alice\",\"client\":\"" + alice + "\",\"default_info\":{\"name\":\"Alice\"}}";
        String bobInfo = "{\"user\":\"bob\",\"client\":\"" + bob + "\",\"default_info\":{\"name\":\"Bob\"}}";
        List<JsonNode> news = bodies(page, "message", "news");
        assertThat(news).as("messages on news").hasSize(3);
        // §8: API publications carry neither client nor info; a client publication carries both (§6.2).
        assertThat(news.subList(0, 2)).containsExactly(
                json("{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"text\":\"first\"}}"),
                json("{\"uid\":\"m2\",\"channel\":\"news\",\"data\":{\"text\":\"second\"}}"));
        ObjectNode own = news.get(2).deepCopy();
        String ownUid = own.remove("uid").asText();
        assertThat(ownUid).matches("[0-9A-Za-z]{22}");
        assertThat(own).isEqualTo(json("{\"channel\":\"news\",\"data\":{\"input\":\"hello from the browser\"},"
                + "\"client\":\"" + alice + "\",\"info\":" + aliceInfo + "}"));
        assertThat(single(page, "publish")).isEqualTo(json("{\"channel\":\"news\",\"status\":true}"));

        // §5.6 and §5.7: presence keyed by client id; history newest first.
        assertThat(single(page, "presence")).isEqualTo(json("{\"channel\":\"news\",\"data\":{\"" + alice + "\":"
                + aliceInfo + ",\"" + bob + "\":" + bobInfo + "}}"));
        assertThat(single(page, "history")).isEqualTo(json("{\"channel\":\"news\",\"data\":["
                + news.get(2) + ",{\"uid\":\"m2\",\"channel\":\"news\",\"data\":{\"text\":\"second\"}},"
                + "{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"text\":\"first\"}}]}"));

        // §8: A sees its own join and B's, then B's leave.
        assertThat(bodies(page, "join", "news")).containsExactlyInAnyOrder(
                json("{\"channel\":\"news\",\"data\":" + aliceInfo + "}"),
                json("{\"channel\":\"news\",\"data\":" + bobInfo + "}"));
        assertThat(bodies(page, "leave", "news")).containsExactly(json("{\"channel\":\"news\",\"data\":" + bobInfo
                + "}"));

        // §4: one auth request for the private channel, then its messages.
        assertThat(pages.authRequests()).containsExactly(
                json("{\"client\":\"" + alice + "\",\"channels\":[\"$private\"]}"));
        assertThat(bodies(page, "message", "$private")).containsExactly(
                json("{\"uid\":\"p1\",\"channel\":\"$private\",\"data\":{\"secret\":true}}"));

        // §9: the API disconnect closes with code 3000 and advice {"reason":"disconnect","reconnect":false}.
        assertThat(page.events("disconnect", "A")).containsExactly(
                json("{\"event\":\"disconnect\",\"who\":\"A\",\"reason\":\"disconnect\",\"reconnect\":false}"));
        assertThat(page.events("transport_close", "A")).containsExactly(
                json("{\"event\":\"transport_close\",\"who\":\"A\",\"code\":3000}"));
    }

    /** The request paths the server received (through the proxy), for the transport checks. */
    List<String> requestPaths() {
        return proxy.exchanges().stream().map(RecordingProxy.Exchange::path).toList();
    }

    private static List<JsonNode> bodies(ScenarioPage page, String event, String channel) {
        return page.events(event, "A").stream().filter(e -> channel.equals(e.path("channel").asText()))
                .map(e -> e.path("body")).toList();
    }

    private static JsonNode single(ScenarioPage page, String event) {
        List<JsonNode> found = page.events(event, "A");
        assertThat(found).as(event + " events\n" + page.transcript()).hasSize(1);
        return found.get(0).path("body");
    }

    private static Map<String, String> credentials(String user, String info) {
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        return Map.of("user", user, "timestamp", timestamp, "info", info,
                "token", Signatures.clientToken(SECRET, user, timestamp, info));
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }
}
