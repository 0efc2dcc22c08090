package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.Signatures;
import dev.rotor.server.RotorServer;
import dev.rotor.server.ServerConfig;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Rotor server with the embedded admin web interface (memory engine; namespace {@code watched} with watch,
 * presence, join/leave and history) and the page of that interface in a {@link ChromeBrowser}, with the steps the
 * tests take on it: log in, go to a page, fill a field, wait for what the page shows. Every wait runs in the page
 * and is bounded. Confined to the test thread.
 */
final class AdminWebPage implements AutoCloseable {
    static final String SECRET = "admin-web-secret";
    static final String PASSWORD = "admin-web-password";
    static final String ADMIN_SECRET = "admin-web-token-secret";
    static final String NODE_NAME = "web-e2e-node";
    static final Duration WAIT = Duration.ofSeconds(30);

    private final ChromeBrowser browser;
    private final MemoryEngine engine;
    private final RotorServer server;
    private final String prefix;
    final ApiTestClient api;
    /** True once {@link #stopServer()} ran. */
    private boolean stopped;

    private AdminWebPage(ChromeBrowser browser, MemoryEngine engine, RotorServer server, String prefix) {
        this.browser = browser;
        this.engine = engine;
        this.server = server;
        this.prefix = prefix;
        this.api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.boundApiPort() + prefix + "/api/"),
                SECRET);
    }

    /** The node of most tests: password login, the {@code watched} namespace. */
    static NodeConfig.Builder node() {
        return NodeConfig.builder().name(NODE_NAME).secret(SECRET).adminPassword(PASSWORD).adminSecret(ADMIN_SECRET)
                .topLevel(ChannelOptions.builder().presence(true).build())
                .namespace("watched", ChannelOptions.builder().watch(true).presence(true).joinLeave(true)
                        .historySize(10).historyLifetime(120).build());
    }

    /** Starts a server on loopback with {@code web} on and the given settings; the page is not opened yet. */
    static AdminWebPage start(ChromeBrowser browser, NodeConfig node, ServerConfig.Builder config) throws Exception {
        ServerConfig sc = config.address("127.0.0.1").port("0").web(true).build();
        MemoryEngine engine = new MemoryEngine();
        RotorServer server = new RotorServer(sc, node, engine);
        server.start();
        browser.consoleLog(); // drops what earlier tests logged
        return new AdminWebPage(browser, engine, server, sc.httpPrefix());
    }

    /** Shuts the server down while the page stays open. */
    void stopServer() throws Exception {
        stopped = true;
        server.shutdown().get(15, TimeUnit.SECONDS);
    }

    /** The interface's address: the admin port, under {@code http_prefix}, with the trailing slash. */
    String url() {
        return "http://127.0.0.1:" + server.boundAdminPort() + prefix + "/";
    }

    /** The raw WebSocket endpoint for a v1 client. */
    String clientUrl() {
        return "ws://127.0.0.1:" + server.boundPort() + prefix + "/connection/websocket";
    }

    void open() {
        browser.navigate(url());
    }

    /** Opens the page and logs in with the admin password, then waits for the interface to show. */
    void openAndLogIn() {
        open();
        awaitVisible("login");
        logIn(PASSWORD);
        awaitVisible("app");
    }

    void logIn(String password) {
        setValue("password", password);
        run("document.getElementById('login-submit').click()");
    }

    void go(String page) {
        run("location.hash = arguments[0]", page);
        awaitVisible("page-" + page);
    }

    /** Sets a field's value and fires the event the page listens to ({@code change} for a select). */
    void setValue(String id, String value) {
        run("var e = document.getElementById(arguments[0]); e.value = arguments[1];"
                + "e.dispatchEvent(new Event(e.tagName === 'SELECT' ? 'change' : 'input'));", id, value);
    }

    void click(String id) {
        run("document.getElementById(arguments[0]).click()", id);
    }

    String text(String id) {
        return browser.execute("var e = document.getElementById(arguments[0]); return e ? e.textContent : null;", id)
                .asText();
    }

    JsonNode run(String script, Object... args) {
        return browser.execute(script, args);
    }

    void awaitVisible(String id) {
        await("#" + id + " visible", "(function(e){ return e && !e.hidden && !e.closest('[hidden]'); })"
                + "(document.getElementById(" + quote(id) + "))");
    }

    void awaitText(String id, String expected) {
        await("#" + id + " to contain " + expected, "(document.getElementById(" + quote(id)
                + ")||{}).textContent.indexOf(" + quote(expected) + ") >= 0");
    }

    /**
     * Waits until the JavaScript expression is truthy in the page, polling there every 100 ms for at most
     * {@link #WAIT}; fails with the description, the page's visible text and its console.
     */
    void await(String description, String expression) {
        JsonNode ok = browser.executeAsync("var done = arguments[arguments.length - 1];"
                + "var end = Date.now() + " + WAIT.toMillis() + ";"
                + "(function poll() { var v = false; try { v = " + expression + "; } catch (e) { }"
                + "if (v) { done(true); } else if (Date.now() > end) { done(false); } else { setTimeout(poll, 100); } })();");
        if (!ok.asBoolean()) {
            throw new AssertionError("timed out waiting for " + description + "; page text:\n"
                    + browser.execute("return document.body.innerText").asText() + "\nconsole:\n"
                    + browser.consoleLog());
        }
    }

    /** The console of the page must hold no error (a CSP violation is logged as one). */
    void assertNoConsoleErrors() {
        assertThat(browser.consoleLog()).doesNotContain("SEVERE").doesNotContain("Content Security Policy");
    }

    /** Parameters for a harness script: the client url and signed credentials of {@code user}. */
    Map<String, Object> clientParams(String user) {
        String timestamp = Long.toString(System.currentTimeMillis() / 1000);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("url", clientUrl());
        p.put("user", user);
        p.put("timestamp", timestamp);
        p.put("info", "");
        p.put("token", Signatures.clientToken(SECRET, user, timestamp, ""));
        p.put("timeoutMs", 90_000);
        p.put("waitMs", 90_000); // subscribe.js: stays subscribed this long unless its messages arrive
        return p;
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    @Override
    public void close() throws Exception {
        try {
            // a blank document drops the page's socket before the server goes away
            browser.navigate("about:blank");
        } finally {
            if (!stopped) {
                server.shutdown().get(15, TimeUnit.SECONDS);
            }
            engine.close();
        }
    }
}
