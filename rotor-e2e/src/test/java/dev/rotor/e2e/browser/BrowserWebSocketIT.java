package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The real v1 JavaScript client ({@code centrifuge@1.5.0}) in headless Chromium over Rotor's raw WebSocket endpoint
 * {@code /connection/websocket}, without SockJS: connect, subscribe, API publications, client publish, presence,
 * history, join/leave, a private channel through the auth endpoint and an API disconnect.
 */
class BrowserWebSocketIT extends BrowserScenarioSupport {

    @Test
    void v1ClientInChromiumUsesEveryFeatureOverRawWebSocket() throws Exception {
        startServers();

        runScenario("ws://" + serverBase() + "/connection/websocket", null, "raw-websocket");

        // Server side: two clients (A and B), each one upgrade of the raw endpoint, and nothing of SockJS.
        assertThat(proxy.exchanges()).extracting(Object::toString).containsExactly(
                "GET /connection/websocket -> 101", "GET /connection/websocket -> 101");
    }
}
