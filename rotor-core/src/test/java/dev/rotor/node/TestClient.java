package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import dev.rotor.testing.RecordingTransport;
import java.util.concurrent.CompletableFuture;

/**
 * One client of a {@link TestNode}: a {@link ClientSession} and the {@link RecordingTransport} it writes to, driven
 * frame by frame as a transport adapter would. On the memory engine a frame is fully processed when
 * {@link #send} returns. Not thread-safe.
 */
public final class TestClient {
    private final ClientSession session;
    private final RecordingTransport transport;

    TestClient(ClientSession session, RecordingTransport transport) {
        this.session = session;
        this.transport = transport;
    }

    public ClientSession session() {
        return session;
    }

    public RecordingTransport transport() {
        return transport;
    }

    public String clientId() {
        return session.clientId();
    }

    /** Hands one frame to the session and waits until it is processed. */
    public void send(String frame) {
        TestNode.await(session.handleFrame(TestNode.utf8(frame)));
    }

    /** Hands one frame to the session without waiting: an engine gate may hold it. The stage ends with the frame. */
    public CompletableFuture<Void> start(String frame) {
        return session.handleFrame(TestNode.utf8(frame)).toCompletableFuture();
    }

    /** Sends a frame and returns the one frame written in reply. */
    public String call(String frame) {
        send(frame);
        return next();
    }

    /** The next frame written to this client, as text; fails when there is none. */
    public String next() {
        try {
            return transport.next();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The advice the session closed the transport with; null while open. */
    public Disconnect closedWith() {
        return transport.closedWith();
    }

    /** Sends a frame that must close the connection, and returns the advice it closed with. */
    public Disconnect closedBy(String frame) {
        send(frame);
        assertThat(transport.closedWith()).as("closed by %s", frame).isNotNull();
        return transport.closedWith();
    }

    /** Fails when a frame was written and not taken. */
    public void assertNoFrame() {
        transport.assertExhausted();
    }

    /** Connects with {@code frame} and takes the reply, which must be a successful connect. */
    public String connect(String frame) {
        String reply = call(frame);
        assertThat(reply).as("connect reply").contains("\"client\":\"" + clientId() + "\"");
        return reply;
    }

    /**
     * Subscribes to {@code channel} and takes the reply, which must report success, and the client's own join push
     * that comes before it on a channel with {@code join_leave} (client-protocol.md §5.3, ordering note).
     */
    public String subscribe(String channel) {
        String reply = call(subscribeFrame(channel));
        if (reply.startsWith("{\"method\":\"join\"")) {
            assertThat(reply).as("own join").contains("\"client\":\"" + clientId() + "\"");
            reply = next();
        }
        assertThat(reply).as("subscribe reply").contains("\"status\":true").doesNotContain("\"error\"");
        return reply;
    }

    static String subscribeFrame(String channel) {
        return "{\"method\":\"subscribe\",\"params\":{\"channel\":\"" + channel + "\"}}";
    }

    @Override
    public String toString() {
        return "TestClient[" + session + "]";
    }
}
