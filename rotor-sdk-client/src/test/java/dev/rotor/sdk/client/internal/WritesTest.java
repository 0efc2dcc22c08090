package dev.rotor.sdk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.sdk.client.RotorClientConfig;
import dev.rotor.sdk.client.RotorClientException;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link RealRotorClient#write}'s queue against a socket that takes frames only when the test says so: a
 * {@link SlowSocket} in place of the JDK's WebSocket, on a client that never connects (no network).
 */
class WritesTest {
    private static final Duration LONG = Duration.ofSeconds(60);

    private RealRotorClient client;

    private RealRotorClient.Connection connection(int maxMessageSize, SlowSocket ws) {
        client = new RealRotorClient(RotorClientConfig.builder("ws://127.0.0.1:9/connection/websocket")
                .insecure(true).requestTimeout(LONG).maxMessageSize(maxMessageSize).build());
        RealRotorClient.Connection c = client.new Connection(null);
        c.ws = ws;
        return c;
    }

    @AfterEach
    void close() {
        client.close();
    }

    private RealRotorClient.Call publish(RealRotorClient.Connection c, String data, Duration timeout) {
        RealRotorClient.Call call = client.register("publish", Frames.publish("news", data), timeout);
        client.write(c, List.of(call.command()));
        return call;
    }

    @Test
    void aFrameWhoseCommandsTimedOutBeforeItsTurnIsNotSent() {
        SlowSocket ws = new SlowSocket();
        RealRotorClient.Connection c = connection(1 << 20, ws);
        publish(c, "1", LONG);
        RealRotorClient.Call timedOut = publish(c, "2", Duration.ofMillis(50));
        assertThat(timedOut.reply()).failsWithin(Duration.ofSeconds(10))
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(RotorClientException.Timeout.class);
        publish(c, "3", LONG);

        ws.takeNext(); // frame 1 is written: frame 2's turn, then frame 3's
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.texts.size() >= 2);
        assertThat(ws.texts).hasSize(2);
        assertThat(ws.texts.get(0)).contains("\"data\":1");
        assertThat(ws.texts.get(1)).as("the frame after the timed-out one").contains("\"data\":3");
    }

    @Test
    void framesPastMaxMessageSizeWaitingToBeSentFailAtOnceAndTheConnectionStays() {
        SlowSocket ws = new SlowSocket();
        RealRotorClient.Connection c = connection(200, ws);
        String big = "\"" + "x".repeat(300) + "\"";
        RealRotorClient.Call first = publish(c, big, LONG);
        assertThat(ws.texts).as("one frame of any size when none wait").hasSize(1);

        RealRotorClient.Call refused = publish(c, "1", LONG);
        assertThat(refused.reply()).as("failed at once").isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isExactlyInstanceOf(RotorClientException.class)
                .withMessageStartingWith("the server is not reading fast enough: ");
        assertThat(first.reply()).isNotDone();

        ws.takeNext();
        RealRotorClient.Call after = publish(c, "2", LONG);
        assertThat(after.reply()).isNotDone();
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> ws.texts.size() == 2);
        assertThat(ws.texts.get(1)).contains("\"data\":2");
    }

    /** A WebSocket whose sends complete only when {@link #takeNext()} is called, in order. Thread-safe. */
    static final class SlowSocket implements WebSocket {
        final List<String> texts = new CopyOnWriteArrayList<>();
        private final List<CompletableFuture<WebSocket>> sends = new CopyOnWriteArrayList<>();
        private int taken;

        @Override
        public CompletableFuture<WebSocket> sendText(CharSequence data, boolean last) {
            CompletableFuture<WebSocket> f = new CompletableFuture<>();
            texts.add(data.toString());
            sends.add(f);
            return f;
        }

        /** Completes the oldest send not yet completed. */
        void takeNext() {
            sends.get(taken++).complete(this);
        }

        @Override
        public CompletableFuture<WebSocket> sendBinary(ByteBuffer data, boolean last) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPing(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendPong(ByteBuffer message) {
            throw new UnsupportedOperationException();
        }

        @Override
        public CompletableFuture<WebSocket> sendClose(int statusCode, String reason) {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public void request(long n) {
        }

        @Override
        public String getSubprotocol() {
            return "";
        }

        @Override
        public boolean isOutputClosed() {
            return false;
        }

        @Override
        public boolean isInputClosed() {
            return false;
        }

        @Override
        public void abort() {
        }
    }
}
