package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A real {@code EventSource} in headless Chromium against {@code uni_sse} (docs/sse.md), from a page of another
 * origin: the stream opens across origins, a publication arrives as a message event with its id, and after the
 * server ends the stream the browser reconnects on its own with {@code Last-Event-ID} and gets what it missed.
 */
class UniSseBrowserIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(20);
    /** The page: every event (data and lastEventId) and every error goes into {@code window.events}. */
    private static final String PAGE = """
            <!doctype html><title>uni_sse</title>
            <script>
            window.events = [];
            window.openStream = function (url) {
                var es = new EventSource(url);
                es.onmessage = function (e) { window.events.push({data: JSON.parse(e.data), id: e.lastEventId}); };
                es.onerror = function () { window.events.push({error: es.readyState}); };
            };
            </script>
            """;

    private TestServer server;
    private HttpServer pages;
    private ChromeBrowser browser;

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(NodeConfig.builder().topLevel(ChannelOptions.builder().recover(true)
                .historySize(10).historyLifetime(60).build()));
        pages = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        pages.createContext("/", exchange -> {
            byte[] body = PAGE.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        pages.start();
        browser = ChromeBrowser.launch();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (pages != null) {
                pages.stop(0);
            }
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void eventSourceFromAnotherOriginStreamsAndRecoversAfterAReconnect() throws Exception {
        browser.navigate("http://127.0.0.1:" + pages.getAddress().getPort() + "/");
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        String url = "http://127.0.0.1:" + server.server().boundPort() + "/connection/uni_sse?user=u1&timestamp=" + ts
                + "&token=" + server.token("u1", ts, "") + "&channel=news";
        browser.execute("window.openStream(arguments[0]);", url);

        JsonNode subscribed = awaitEvent(e -> e.path("data").path("method").asText().equals("subscribe"));
        assertThat(subscribed.path("id").asText()).isEqualTo("1:");
        publish("m1");
        JsonNode m1 = awaitEvent(e -> e.path("data").path("body").path("uid").asText().equals("m1"));
        assertThat(m1.path("data").path("method").asText()).isEqualTo("message");
        assertThat(m1.path("data").path("body").path("data").path("n").asText()).isEqualTo("m1");
        assertThat(m1.path("id").asText()).isEqualTo("1:m1");

        // the server ends the stream; while the browser waits to reconnect, m2 is published and only kept in history
        server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"u1\"}}");
        JsonNode disconnect = awaitEvent(e -> e.path("data").path("method").asText().equals("disconnect"));
        assertThat(disconnect.path("data").path("body").toString()).isEqualTo("{\"reason\":\"disconnect\","
                + "\"reconnect\":false}");
        publish("m2");
        JsonNode recovered = awaitEvent(e -> e.path("data").path("method").asText().equals("subscribe")
                && e.path("data").path("body").path("recovered").asBoolean());
        assertThat(recovered.path("data").path("body").path("messages").get(0).path("uid").asText()).isEqualTo("m2");
        assertThat(recovered.path("id").asText()).isEqualTo("1:m2");
        publish("m3");
        assertThat(awaitEvent(e -> e.path("data").path("body").path("uid").asText().equals("m3")).path("id")
                .asText()).isEqualTo("1:m3");
    }

    private void publish(String uid) throws Exception {
        assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"n\":\"" + uid
                + "\"},\"uid\":\"" + uid + "\"}}").body()).contains("\"error\":null");
    }

    /** Waits until the page has recorded an event matching {@code match} and returns the first such. */
    private JsonNode awaitEvent(Predicate<JsonNode> match) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (JsonNode e : events()) {
                if (match.test(e)) {
                    found.add(e);
                    return true;
                }
            }
            return false;
        });
        return found.get(0);
    }

    private JsonNode events() throws IOException {
        return JSON.readTree(browser.execute("return JSON.stringify(window.events);").asText());
    }
}
