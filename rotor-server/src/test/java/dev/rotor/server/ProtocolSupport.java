package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.WsTestClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;

/** Shared fixture for the raw WebSocket protocol integration tests: one server per test, clients closed after. */
abstract class ProtocolSupport {
    static final Duration WAIT = Duration.ofSeconds(5);
    private static final Pattern CLIENT_ID = Pattern.compile("\"client\":\"([0-9a-f-]{36})\"");

    TestServer server;
    private final List<WsTestClient> clients = new ArrayList<>();

    TestServer start(NodeConfig.Builder config) throws Exception {
        server = TestServer.start(config);
        return server;
    }

    @AfterEach
    void stopServer() throws Exception {
        for (WsTestClient c : clients) {
            c.abort();
        }
        if (server != null) {
            server.close();
        }
    }

    /** A connected-but-unauthenticated client. */
    WsTestClient open() throws Exception {
        WsTestClient c = WsTestClient.connect(java.net.URI.create(server.wsUrl()), WAIT);
        clients.add(c);
        return c;
    }

    /** A client that completed {@code connect} as {@code user}; returns it with its client id. */
    Client connect(String user) throws Exception {
        return connect(user, "");
    }

    Client connect(String user, String info) throws Exception {
        WsTestClient c = open();
        c.send(server.connectFrame("c", user, info));
        String reply = c.awaitFrame(WAIT);
        Matcher m = CLIENT_ID.matcher(reply);
        assertThat(m.find()).as("connect reply %s", reply).isTrue();
        return new Client(c, m.group(1));
    }

    /** A connected client and its id. */
    record Client(WsTestClient ws, String id) {
        void send(String frame) {
            ws.send(frame);
        }

        String next() throws InterruptedException {
            return ws.awaitFrame(WAIT);
        }

        /** Sends a frame and returns the next frame received. */
        String call(String frame) throws InterruptedException {
            ws.send(frame);
            return ws.awaitFrame(WAIT);
        }

        WsTestClient.Close awaitClose() throws InterruptedException {
            return ws.awaitClose(WAIT);
        }

        void assertNothingMore() throws InterruptedException {
            ws.assertNoFrame(Duration.ofMillis(300));
        }
    }

    static String subscribe(String uid, String channel) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}";
    }

    static String subscribeOk(String uid, String channel) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"subscribe\",\"body\":{\"channel\":\"" + channel
                + "\",\"status\":true,\"last\":\"\",\"messages\":null,\"recovered\":false}}";
    }

    static String subscribeError(String uid, String channel, String error) {
        return "{\"uid\":\"" + uid + "\",\"method\":\"subscribe\",\"error\":\"" + error + "\",\"advice\":\"fix\","
                + "\"body\":{\"channel\":\"" + channel + "\",\"status\":false,\"last\":\"\",\"messages\":null,"
                + "\"recovered\":false}}";
    }

    static String advice(String reason, boolean reconnect) {
        return "{\"reason\":\"" + reason + "\",\"reconnect\":" + reconnect + "}";
    }

    static NodeConfig.Builder config() {
        return NodeConfig.builder();
    }
}
