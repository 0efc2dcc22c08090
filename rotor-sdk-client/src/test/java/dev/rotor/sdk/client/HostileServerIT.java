package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.protocol.Message;
import dev.rotor.sdk.client.internal.RealRotorClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The realtime client against servers that are hostile or broken, each played by a {@link ScriptedWsServer}: what
 * they send must not grow the client's heap without a bound or leave it stuck.
 */
class HostileServerIT {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 2, 0, 0);

    private static final int MAX_MESSAGE = 1 << 20;
    /** What the server would send on one connection if the client kept reading. */
    private static final long ENDLESS = 1L << 30;

    /**
     * One endless WebSocket message: a text frame without FIN followed by continuation frames for ever. The client
     * must give the message up at {@code maxMessageSize}, close the connection (so the server's writes stop far short
     * of what it would send) and report it; then it reconnects.
     */
    @Test
    void anEndlessMessageEndsTheConnectionAtTheSizeLimit() throws Exception {
        endlessMessageEndsTheConnection(0x1, "characters");
    }

    /** The same in binary frames, counted in bytes (they are decoded only once the message is complete). */
    @Test
    void anEndlessBinaryMessageEndsTheConnectionAtTheSizeLimit() throws Exception {
        endlessMessageEndsTheConnection(0x2, "bytes");
    }

    private void endlessMessageEndsTheConnection(int opcode, String unit) throws Exception {
        AtomicLong firstConnectionBytes = new AtomicLong();
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            long sent = sendEndlessMessage(peer, opcode);
            if (n == 1) {
                firstConnectionBytes.set(sent);
            }
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(config(server, events).maxMessageSize(MAX_MESSAGE).build());
            try {
                client.connect();
                RotorClientException e = Events.awaitMatch(events.errors,
                        x -> x.getMessage().contains("longer than " + MAX_MESSAGE));
                assertThat(e).hasMessage("the server sent a message longer than 1048576 " + unit);
                Awaitility.await().atMost(Events.WAIT).until(() -> server.accepted() >= 2);
                Awaitility.await().atMost(Events.WAIT).until(() -> firstConnectionBytes.get() > 0);
                assertThat(firstConnectionBytes.get()).as("bytes the server could send before the client closed")
                        .isLessThan(64L << 20);
            } finally {
                client.close();
            }
        }
    }

    /**
     * Pushes before the subscribe reply wait for it, but at most {@code MAX_QUEUED_CALLBACKS} of them: one more
     * ends the connection (before, 300,000 took 91 MiB). On the next connection the pushes that arrive before the
     * reply are delivered after the recovered messages, each message once.
     */
    @Test
    void tooManyPushesBeforeTheSubscribeReplyEndTheConnection() throws Exception {
        int limit = RealRotorClient.MAX_QUEUED_CALLBACKS;
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            JsonNode subscribe = peer.readCommand("subscribe");
            if (n == 1) {
                for (int sent = 0; sent <= limit; sent += 1000) {
                    List<String> pushes = new ArrayList<>();
                    for (int i = sent; i < Math.min(sent + 1000, limit + 1); i++) {
                        pushes.add(push("news", 1000 + i));
                    }
                    peer.sendText("[" + String.join(",", pushes) + "]");
                }
            } else {
                peer.sendText(push("news", 2));
                peer.sendText(push("news", 3));
                peer.reply(subscribe, "{\"channel\":\"news\",\"messages\":["
                        + message("news", 3) + "," + message("news", 2) + "," + message("news", 1) + "]}");
            }
            peer.readUntilClosed();
        })) {
            Events events = new Events();
            RotorClient client = connectedToNews(server, events);
            try {
                assertThat(Events.awaitMatch(events.errors, e -> e.getMessage().contains("pushes in news")))
                        .hasMessage("the server sent more than " + limit + " pushes in news before its reply to the"
                                + " subscribe");
                assertThat(Events.await(events.disconnects, 1)).first().isEqualTo(
                        new ConnectionListener.DisconnectEvent("too many pushes before the subscribe reply", true));
                Events.await(events.subscribed, 1);
                assertThat(Events.await(events.messages, 3)).extracting(m -> m.data().toString())
                        .containsExactly("1", "2", "3");
                assertThat(server.accepted()).isEqualTo(2);
            } finally {
                client.close();
            }
        }
    }

    /**
     * A success reply without a body (PendingReplies makes it null) to subscribe, presence or history fails that
     * call with a RotorClientException; before, a subscribe was left stuck (an NPE after the state
     * change, lost in a completion stage) and presence/history failed with a bare NullPointerException.
     */
    @Test
    void repliesWithoutABodyFailTheirCall() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            for (List<JsonNode> commands; (commands = peer.readCommands()) != null; ) {
                for (JsonNode c : commands) {
                    String channel = c.path("params").path("channel").asText();
                    boolean withBody = c.path("method").asText().equals("subscribe") && channel.equals("good");
                    peer.reply(c, withBody ? "{\"channel\":\"good\"}" : null);
                }
            }
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(config(server, events).build());
            try {
                Subscription bad = client.subscribe("bad", events);
                Subscription good = client.subscribe("good", events);
                client.connect();
                SubscriptionListener.SubscribeError error = Events.await(events.subscribeErrors, 1).get(0);
                assertThat(error.channel()).isEqualTo("bad");
                assertThat(error.error()).hasMessage("the server's subscribe reply for bad had no body");
                assertThat(bad.state()).isEqualTo(Subscription.State.FAILED);
                assertThat(bad.ready()).failsWithin(Events.WAIT).withThrowableOfType(ExecutionException.class)
                        .withCauseInstanceOf(RotorClientException.class);

                good.ready().get(Events.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(good.presence()).failsWithin(Events.WAIT).withThrowableOfType(ExecutionException.class)
                        .havingCause().isExactlyInstanceOf(RotorClientException.class)
                        .withMessage("the server's presence reply for good had no body");
                assertThat(good.history()).failsWithin(Events.WAIT).withThrowableOfType(ExecutionException.class)
                        .havingCause().isExactlyInstanceOf(RotorClientException.class)
                        .withMessage("the server's history reply for good had no body");
            } finally {
                client.close();
            }
        }
    }

    /**
     * A server that answers connect and then closes at once: the reconnect delays still grow (before, the connect
     * reset the backoff, so the client came back every {@code min} for ever).
     */
    @Test
    void reconnectDelaysGrowWhenEachConnectionEndsRightAfterConnect() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            peer.sendClose(1000, "");
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(RotorClientConfig.builder(server.url()).insecure(true)
                    .backoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), 2, 0, 0))
                    .listener(events).build());
            try {
                client.connect();
                Awaitility.await().atMost(Events.WAIT).until(() -> server.accepted() >= 4);
                List<Long> at = server.acceptedAt;
                // the delays are 100, 200 and 400 ms; each gap adds a connection's short life
                assertThat(millis(at.get(2) - at.get(1))).isGreaterThanOrEqualTo(200);
                assertThat(millis(at.get(3) - at.get(2))).isGreaterThanOrEqualTo(400);
                assertThat(events.connects).hasSizeGreaterThanOrEqualTo(3);
            } finally {
                client.close();
            }
        }
    }

    /** A connection that lasted at least the backoff's max starts the delays again from {@code min}. */
    @Test
    void aConnectionThatLastedTheBackoffMaxStartsTheDelaysAgain() throws Exception {
        List<Long> closedAt = new CopyOnWriteArrayList<>();
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            if (n == 3) {
                Thread.sleep(400); // the script's part: a connection that lives longer than the max (300 ms)
            }
            closedAt.add(System.nanoTime());
            peer.sendClose(1000, "");
        })) {
            RotorClient client = RotorClient.create(RotorClientConfig.builder(server.url()).insecure(true)
                    .backoff(new Backoff(Duration.ofMillis(100), Duration.ofMillis(300), 4, 0, 0)).build());
            try {
                client.connect();
                Awaitility.await().atMost(Events.WAIT).until(() -> server.accepted() >= 4);
                // delays: 100, 300 (400 capped), then, after the long connection, 100 again instead of 300
                assertThat(millis(server.acceptedAt.get(2) - server.acceptedAt.get(1))).isGreaterThanOrEqualTo(300);
                assertThat(millis(server.acceptedAt.get(3) - closedAt.get(2))).isLessThan(300);
            } finally {
                client.close();
            }
        }
    }

    /**
     * A server that sends binary messages (Rotor sends text) and splits one inside a three-byte UTF-8 character:
     * the client joins the fragments' bytes before decoding. Before, each fragment was decoded alone and the
     * character became two U+FFFD.
     */
    @Test
    void aBinaryMessageSplitInsideACharacterIsDecodedWhole() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            peer.reply(peer.readCommand("subscribe"), "{\"channel\":\"news\"}");
            byte[] push = "{\"method\":\"message\",\"body\":{\"uid\":\"u1\",\"channel\":\"news\",\"data\":\"\u20ac\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            int split = indexOf(push, (byte) 0xe2) + 1; // after the first of the euro sign's three bytes
            peer.sendFrame(false, 0x2, Arrays.copyOfRange(push, 0, split));
            peer.sendFrame(true, 0x0, Arrays.copyOfRange(push, split, push.length));
            peer.readUntilClosed();
        })) {
            Events events = new Events();
            RotorClient client = connectedToNews(server, events);
            try {
                assertThat(Events.await(events.messages, 1).get(0).data().toString()).isEqualTo("\"\u20ac\"");
            } finally {
                client.close();
            }
        }
    }

    /**
     * Frames past a parse limit (BoundedJson's, for {@code maxMessageSize}) are reported like any unreadable frame and
     * dropped, and the connection goes on: the subscribe reply and the push behind them arrive.
     */
    @Test
    void framesPastAParseLimitAreReportedAndTheConnectionGoesOn() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            JsonNode subscribe = peer.readCommand("subscribe");
            peer.sendText("[" + "1".repeat(1001) + "]");
            peer.sendText("[".repeat(1007) + "]".repeat(1007));
            peer.reply(subscribe, "{\"channel\":\"news\"}");
            peer.sendText(push("news", 1));
            peer.readUntilClosed();
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(config(server, events).maxMessageSize(MAX_MESSAGE).build());
            client.subscribe("news", events);
            client.connect();
            try {
                assertThat(Events.awaitMatch(events.errors, e -> e.getMessage().contains("Number value length")))
                        .hasMessageStartingWith("frame from server past a parse limit (Number value length (1001)"
                                + " exceeds the maximum allowed (1000");
                assertThat(Events.awaitMatch(events.errors, e -> e.getMessage().contains("nesting depth")))
                        .hasMessageStartingWith("frame from server past a parse limit (Document nesting depth (1007)"
                                + " exceeds the maximum allowed (1006");
                Events.await(events.subscribed, 1);
                assertThat(Events.await(events.messages, 1)).extracting(m -> m.data().toString()).containsExactly("1");
                assertThat(events.disconnects).isEmpty();
                assertThat(events.errors).hasSize(2);
                assertThat(server.accepted()).isEqualTo(1);
            } finally {
                client.close();
            }
        }
    }

    /**
     * What a server may legitimately send stays within the parse limits: a string longer than Jackson's own bound
     * (20,000,000 characters) in a message that fits {@code maxMessageSize}, and the deepest connection info the Rotor
     * server accepts (1000 levels) in the deepest answer it comes back in (a history reply in an array frame, 1006
     * levels). Before, Jackson's defaults refused both (string length 20,000,000, depth 1000).
     */
    @Test
    void theLongestStringAndTheDeepestInfoAServerMaySendPass() throws Exception {
        String longString = "\"" + "x".repeat(20_000_001) + "\"";
        String deep = "[".repeat(1000) + "]".repeat(1000);
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            peer.reply(peer.readCommand("subscribe"), "{\"channel\":\"news\"}");
            peer.sendText("{\"method\":\"message\",\"body\":{\"uid\":\"u1\",\"channel\":\"news\",\"data\":"
                    + longString + "}}");
            JsonNode history = peer.readCommand("history");
            peer.sendText("[{\"uid\":\"" + history.path("uid").asText() + "\",\"method\":\"history\",\"body\":"
                    + "{\"channel\":\"news\",\"data\":[{\"uid\":\"u2\",\"channel\":\"news\",\"data\":1,"
                    + "\"info\":{\"user\":\"42\",\"client\":\"c1\",\"default_info\":" + deep + "}}]}}]");
            peer.readUntilClosed();
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(config(server, events).maxMessageSize(24 << 20).build());
            Subscription news = client.subscribe("news", events);
            client.connect();
            try {
                assertThat(Events.await(events.messages, 1).get(0).data().toString()).isEqualTo(longString);
                List<Message> history = news.history().get(Events.WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(history).extracting(m -> m.info().defaultInfo().toString()).containsExactly(deep);
                assertThat(events.errors).isEmpty();
            } finally {
                client.close();
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        throw new AssertionError("no " + b);
    }

    /** A client of {@code server} subscribed to {@code news}, connecting. */
    private static RotorClient connectedToNews(ScriptedWsServer server, Events events) {
        RotorClient client = RotorClient.create(config(server, events).build());
        client.subscribe("news", events);
        client.connect();
        return client;
    }

    /**
     * A server (or a proxy) that ends the TCP connection without a WebSocket close frame. On JDK 17 the JDK's
     * WebSocket client can miss that end of stream (it hits an internal error and reports neither a close nor an
     * error), so with pings off such a connection may never be noticed; the client's pings (on by default) find it
     * dead, and the client reconnects (docs/sdk.md, "Keepalive and batching").
     */
    @Test
    void aConnectionEndedWithoutACloseFrameIsFoundByThePings() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            // the script returns: the socket is closed without a close frame
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(config(server, events).pingInterval(Duration.ofSeconds(1))
                    .pongTimeout(Duration.ofSeconds(1)).build());
            try {
                client.connect();
                Awaitility.await().atMost(Events.WAIT).until(() -> !events.disconnects.isEmpty());
                Awaitility.await().atMost(Events.WAIT).until(() -> server.accepted() >= 2);
            } finally {
                client.close();
            }
        }
    }

    /**
     * With the client's pings off, a server that pinged (every 200 ms here) and then falls silent without closing
     * (a hung server, a proxy that lost its upstream) is cut off once it has sent nothing for twice the longest gap
     * between its pings; before, the connection stayed open for good. A server that never pings is not watched: the
     * next connection, silent for 1.5 s, stays until the server closes it.
     */
    @Test
    void aServerThatPingsAndThenFallsSilentIsCutOffWithPingsOff() throws Exception {
        AtomicLong lastPingAt = new AtomicLong();
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            if (n == 1) {
                pingEvery200Ms(peer, 3);
                lastPingAt.set(System.nanoTime());
                peer.readUntilClosed(); // then nothing more, the connection open
            } else {
                Thread.sleep(1500); // the script's part: a server that never pings, silent for 1.5 s
                peer.sendClose(3000, "{\"reason\":\"done\",\"reconnect\":false}");
            }
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(withoutPings(server, events));
            try {
                client.connect();
                RotorClientException e = Events.awaitMatch(events.errors,
                        x -> x.getMessage().contains("sent nothing"));
                long silentFor = System.nanoTime() - lastPingAt.get();
                assertThat(e.getMessage()).matches("the server sent nothing for \\d+ ms; its pings had come at most"
                        + " \\d+ ms apart: the connection is taken for dead");
                assertThat(millis(silentFor)).as("silence after the last ping").isBetween(400L, 10_000L);
                assertThat(Events.await(events.closed, 1)).containsExactly(
                        new ConnectionListener.DisconnectEvent("done", false));
                assertThat(events.disconnects).containsExactly(
                        new ConnectionListener.DisconnectEvent("server silent", true),
                        new ConnectionListener.DisconnectEvent("done", false));
                assertThat(server.accepted()).isEqualTo(2);
            } finally {
                client.close();
            }
        }
    }

    /**
     * The end of the TCP connection right behind a message, without a close frame (a server that crashed after its
     * last write). The JDK's WebSocket client (17.0.15 and 25.0.3 alike) can read that end before the client has
     * asked for the next message, and then reports nothing: without the silence watch this test failed in two runs of
     * three (the third saw {@code connection closed (1006)}), and with pings off the connection stayed open for good.
     * The silence watch of a server that pings finds it, and the client reconnects.
     */
    @Test
    void anEndOfStreamRightBehindAMessageIsFoundWithPingsOff() throws Exception {
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            peer.acceptConnect("c" + n);
            if (n == 1) {
                pingEvery200Ms(peer, 2);
                Thread.sleep(200);
                peer.sendText(push("news", 1));
                // the script returns: the socket is closed right behind the push, without a close frame
            } else {
                peer.readUntilClosed();
            }
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(withoutPings(server, events));
            try {
                client.connect();
                Awaitility.await().atMost(Events.WAIT).until(() -> !events.disconnects.isEmpty());
                Events.await(events.connects, 2);
                assertThat(server.accepted()).isEqualTo(2);
            } finally {
                client.close();
            }
        }
    }

    /** The script's part: a server that pings every 200 ms, {@code times} times. */
    private static void pingEvery200Ms(ScriptedWsServer.Peer peer, int times) throws Exception {
        for (int i = 0; i < times; i++) {
            Thread.sleep(200);
            peer.sendPing();
        }
    }

    /** As {@link #config}, with the client's pings off and a {@code pongTimeout} below twice the server's 200 ms. */
    private static RotorClientConfig withoutPings(ScriptedWsServer server, Events events) {
        return config(server, events).pingInterval(Duration.ZERO).pongTimeout(Duration.ofMillis(300)).build();
    }

    private static RotorClientConfig.Builder config(ScriptedWsServer server, Events events) {
        return RotorClientConfig.builder(server.url()).insecure(true).backoff(FAST).listener(events);
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    /** A message object of channel {@code channel} with uid {@code u<n>} and data {@code n}. */
    static String message(String channel, int n) {
        return "{\"uid\":\"u" + n + "\",\"channel\":\"" + channel + "\",\"data\":" + n + "}";
    }

    /** A message push (client-protocol.md §8). */
    static String push(String channel, int n) {
        return "{\"method\":\"message\",\"body\":" + message(channel, n) + "}";
    }

    /** Sends one message that never ends; returns the bytes sent until the peer left. */
    private static long sendEndlessMessage(ScriptedWsServer.Peer peer, int firstOpcode) {
        // frames without the FIN bit: firstOpcode (text or binary) first, then 0 (continuation)
        byte[] payload = new byte[64 * 1024];
        Arrays.fill(payload, (byte) 'x');
        long sent = 0;
        try {
            int opcode = firstOpcode;
            while (sent < ENDLESS) {
                peer.sendFrame(false, opcode, payload);
                sent += payload.length;
                opcode = 0x0;
            }
        } catch (IOException peerLeft) {
            // the client closed the connection: what it took is what was sent
        }
        return sent;
    }
}
