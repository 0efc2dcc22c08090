package dev.rotor.sdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.Message;
import dev.rotor.server.RotorServer;
import dev.rotor.server.ServerConfig;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The SDK against a real Rotor server on loopback, with a raw WebSocket subscriber watching the effects. */
class RotorApiClientIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String SECRET = "sdk-secret";
    private RotorServer server;
    private RotorApiClient api;
    private WsTestClient ws;
    private String clientId;

    @BeforeEach
    void start() throws Exception {
        server = new RotorServer(ServerConfig.builder().address("127.0.0.1").port("0").build(),
                NodeConfig.builder().secret(SECRET)
                        .topLevel(ChannelOptions.builder().presence(true).historySize(10).historyLifetime(60).build())
                        .build(), new MemoryEngine());
        server.start();
        api = RotorApiClient.builder("http://127.0.0.1:" + server.boundPort(), SECRET).build();
        ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.boundPort() + "/connection/websocket"), WAIT);
        Tokens.Credentials c = Tokens.connect(SECRET, "bob", "{\"n\":1}");
        ws.send("{\"method\":\"connect\",\"params\":{\"user\":\"bob\",\"timestamp\":\"" + c.timestamp()
                + "\",\"info\":\"{\\\"n\\\":1}\",\"token\":\"" + c.token() + "\"}}");
        clientId = ws.awaitFrame(WAIT).replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
        ws.send("{\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}");
        assertThat(ws.awaitFrame(WAIT)).contains("\"status\":true");
    }

    @AfterEach
    void stop() throws Exception {
        ws.abort();
        server.shutdown().get(10, TimeUnit.SECONDS);
    }

    @Test
    void sdkJwtsConnectAndOpenPrivateChannelsOnRotor() {
        WsTestClient jwt = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.boundPort()
                + "/connection/websocket"), WAIT);
        try {
            jwt.send("{\"method\":\"connect\",\"params\":{\"token\":\""
                    + Tokens.connectionJwt(SECRET, "carol", "{\"n\":2}", Instant.now().getEpochSecond() + 600) + "\"}}");
            String reply = jwt.awaitFrame(WAIT);
            assertThat(reply).contains("\"expires\":true,\"expired\":false");
            String id = reply.replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
            jwt.send("{\"method\":\"subscribe\",\"params\":{\"channel\":\"$vip\",\"sign\":\""
                    + Tokens.channelJwt(SECRET, id, "$vip", "{\"seat\":1}", 0) + "\"}}");
            assertThat(jwt.awaitFrame(WAIT)).contains("\"status\":true");
            assertThat(api.presence("$vip").join().get(id).user()).isEqualTo("carol");
        } finally {
            jwt.abort();
        }
    }

    @Test
    void publishReachesSubscribersAndHistoryAndPresenceReadBack() {
        api.publish("news", "{\"text\": \"hi\"}", "backend-1").join();
        assertThat(ws.awaitFrame(WAIT)).endsWith("\"client\":\"backend-1\",\"channel\":\"news\",\"data\":{\"text\": \"hi\"}}}");

        List<Message> history = api.history("news").join();
        assertThat(history).singleElement().satisfies(m -> {
            assertThat(m.channel()).isEqualTo("news");
            assertThat(m.data().toString()).isEqualTo("{\"text\":\"hi\"}");
            assertThat(m.client()).isEqualTo("backend-1");
        });
        assertThat(api.presence("news").join()).containsOnlyKeys(clientId)
                .hasEntrySatisfying(clientId, info -> {
                    assertThat(info.user()).isEqualTo("bob");
                    assertThat(info.defaultInfo().toString()).isEqualTo("{\"n\":1}");
                });
        assertThat(api.channels().join()).containsExactly("news");
        assertThat(api.stats().join()).singleElement()
                .satisfies(n -> assertThat(n.metrics()).containsKey("node_num_clients"));
    }

    @Test
    void batchRunsInOrderWithOneResultPerCommand() {
        List<ApiResult> results = api.batch().publish("news", "1").broadcast(List.of("news", "other"), "2")
                .presence("zz:nope").channels().send().join();
        assertThat(results).extracting(ApiResult::method).containsExactly("publish", "broadcast", "presence", "channels");
        assertThat(results.get(0).ok()).isTrue();
        assertThat(results.get(2).error()).isEqualTo("namespace not found");
        assertThat(ws.awaitFrame(WAIT)).endsWith("\"data\":1}}");
        assertThat(ws.awaitFrame(WAIT)).endsWith("\"data\":2}}");
    }

    @Test
    void commandErrorsAndRefusedRequestsAreTyped() {
        assertThatThrownBy(() -> api.publish("zz:x", "1").join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOfSatisfying(RotorApiException.CommandError.class, e -> {
                    assertThat(e.error()).isEqualTo("namespace not found");
                    assertThat(e.advice()).isEqualTo("fix");
                });
        RotorApiClient wrong = RotorApiClient.builder("http://127.0.0.1:" + server.boundPort(), "wrong").build();
        assertThatThrownBy(() -> wrong.channels().join()).cause()
                .isInstanceOfSatisfying(RotorApiException.HttpStatus.class, e -> assertThat(e.status()).isEqualTo(401));
    }

    @Test
    void unsubscribeAndDisconnectActOnTheUser() {
        api.unsubscribe("news", "bob").join();
        assertThat(ws.awaitFrame(WAIT)).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"news\",\"status\":true}}");
        api.disconnect("bob").join();
        assertThat(ws.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, "{\"reason\":\"disconnect\",\"reconnect\":false}"));
    }
}
