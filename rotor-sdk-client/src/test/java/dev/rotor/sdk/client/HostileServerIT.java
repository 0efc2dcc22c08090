package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The realtime client against a server that sends one endless WebSocket message: a text frame without FIN followed
 * by continuation frames for ever. The client must give the message up at {@code maxMessageSize}, close the
 * connection (so the server's writes stop far short of what it would send) and report it; then it reconnects.
 */
class HostileServerIT {
    private static final int MAX_MESSAGE = 1 << 20;
    /** What the server would send on one connection if the client kept reading. */
    private static final long ENDLESS = 1L << 30;

    @Test
    void anEndlessMessageEndsTheConnectionAtTheSizeLimit() throws Exception {
        AtomicLong firstConnectionBytes = new AtomicLong();
        try (ScriptedWsServer server = new ScriptedWsServer((peer, n) -> {
            long sent = sendEndlessMessage(peer);
            if (n == 1) {
                firstConnectionBytes.set(sent);
            }
        })) {
            Events events = new Events();
            RotorClient client = RotorClient.create(RotorClientConfig.builder(server.url()).insecure(true)
                    .maxMessageSize(MAX_MESSAGE).backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(100), 2, 0, 0)).listener(events).build());
            try {
                client.connect();
                RotorClientException e = Events.awaitMatch(events.errors,
                        x -> x.getMessage().contains("longer than " + MAX_MESSAGE + " characters"));
                assertThat(e).hasMessage("the server sent a message longer than 1048576 characters");
                Awaitility.await().atMost(Events.WAIT).until(() -> server.accepted() >= 2);
                Awaitility.await().atMost(Events.WAIT).until(() -> firstConnectionBytes.get() > 0);
                assertThat(firstConnectionBytes.get()).as("bytes the server could send before the client closed")
                        .isLessThan(64L << 20);
            } finally {
                client.close();
            }
        }
    }

    /** Sends one message that never ends; returns the bytes sent until the peer left. */
    private static long sendEndlessMessage(ScriptedWsServer.Peer peer) {
        // frames without the FIN bit: opcode 1 (text) first, then 0 (continuation)
        byte[] payload = new byte[64 * 1024];
        Arrays.fill(payload, (byte) 'x');
        long sent = 0;
        try {
            int opcode = 0x1;
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
