package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs {@link WsTestClient} against a small WebSocket server from the ws npm package on 127.0.0.1. */
class WsTestClientIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private NodeScript server;
    private URI uri;

    @BeforeEach
    void startServer() {
        server = NodeScript.start("tools/ws-echo-server.js", Map.of("timeoutMs", 60_000));
        JsonNode listening = server.awaitEvent("listening", TIMEOUT);
        uri = URI.create("ws://127.0.0.1:" + listening.path("port").asInt() + "/connection/websocket");
    }

    @AfterEach
    void stopServer() {
        server.send("stop");
        server.awaitSuccess(TIMEOUT);
        server.close();
    }

    @Test
    void textFramesAreSentAndReceivedInOrder() {
        try (WsTestClient client = WsTestClient.connect(uri)) {
            client.send("{\"uid\":\"1\",\"method\":\"ping\"}");
            client.send("second");

            assertThat(client.awaitFrame(TIMEOUT)).isEqualTo("{\"uid\":\"1\",\"method\":\"ping\"}");
            assertThat(client.awaitFrame(TIMEOUT)).isEqualTo("second");
            client.assertNoFrame(Duration.ofMillis(200));
        }
        assertThat(server.awaitEvent("connection", TIMEOUT).path("path").asText())
                .isEqualTo("/connection/websocket");
    }

    @Test
    void binaryFramesAreQueuedSeparately() {
        try (WsTestClient client = WsTestClient.connect(uri)) {
            client.sendBinary("{\"method\":\"ping\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(WsTestClient.utf8(client.awaitBinaryFrame(TIMEOUT))).isEqualTo("{\"method\":\"ping\"}");
            assertThat(client.frames()).isEmpty();
        }
    }

    @Test
    void serverCloseFrameIsReportedWithCodeAndReason() {
        try (WsTestClient client = WsTestClient.connect(uri)) {
            client.send("close");

            WsTestClient.Close close = client.awaitClose(TIMEOUT);
            assertThat(close).isEqualTo(new WsTestClient.Close(3000, "{\"reason\":\"test\",\"reconnect\":false}"));
            assertThat(client.error()).isNull();
        }
    }

    @Test
    void droppedConnectionIsReportedAsAbnormalClosure() {
        try (WsTestClient client = WsTestClient.connect(uri)) {
            client.send("drop");

            assertThat(client.awaitClose(TIMEOUT).code()).isEqualTo(WsTestClient.ABNORMAL_CLOSURE);
            assertThat(client.isClosed()).isTrue();
        }
    }

    @Test
    void pingsAreCountedAndAnsweredWithPong() {
        try (WsTestClient client = WsTestClient.connect(uri)) {
            client.send("ping");

            JsonNode pong = server.awaitEvent("pong", TIMEOUT);
            assertThat(pong.path("data").asText()).isEqualTo("ping");
            await().atMost(TIMEOUT).until(() -> client.pingsReceived() == 1);
        }
    }

    @Test
    void clientCloseIsEchoedByTheServer() {
        WsTestClient client = WsTestClient.connect(uri);
        client.close();

        JsonNode closed = server.awaitEvent("closed", TIMEOUT);
        assertThat(closed.path("code").asInt()).isEqualTo(1000);
        assertThat(client.awaitClose(TIMEOUT).code()).isEqualTo(1000);
    }
}
