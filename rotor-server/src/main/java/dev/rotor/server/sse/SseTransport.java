package dev.rotor.server.sse;

import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.server.transport.CloseDeadline;
import dev.rotor.server.transport.Outbound;
import dev.rotor.server.transport.OutboundTransport;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The {@code uni_sse} {@link Transport}, named {@code uni_sse}: each push becomes one Server-Sent Event
 * ({@code data: <json>}, WHATWG HTML §9.2), a message on a channel with {@code recover} also gets an
 * {@code id:} line ({@link StreamPositions}), and a server close ends the stream with a last event,
 * {@code {"method":"disconnect","body":<advice>}} (client-protocol.md §9).
 *
 * <p>Until the stream starts, no channel is attached to the {@link Outbound}: pushes stay queued (and count against
 * {@code client_queue_max_size}), the reply to the handshake's commands goes to the {@link Handshake} instead, and a
 * close becomes the HTTP error of the handshake. The reply is told apart by its first byte: it answers several
 * commands, so it is a JSON array, and pushes are objects (client-protocol.md §2.3, §8).
 *
 * <p>Thread-safe. The queue, its byte count, batching and the drain are the shared {@link Outbound}'s; this class
 * only frames. Frames are shared byte arrays, wrapped, never copied or modified.
 */
final class SseTransport extends OutboundTransport {
    /** Receives what ends or answers the handshake; called on the channel's event loop. */
    interface Handshake {
        /** The reply to the handshake's commands. */
        void replied(byte[] reply);

        /** The session was closed before the stream started. */
        void refused(Disconnect disconnect);
    }

    /** The deadline for the last event and the end of the stream, as for a WebSocket close frame (§9: 1 s). */
    static final long CLOSE_DEADLINE_MILLIS = 1000;
    private static final byte[] DATA = "data: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LINE_DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    /** A comment line: ignored by EventSource, it keeps proxies and the peer's TCP stack aware of the stream. */
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);

    private final Channel channel;
    /** Runs the close deadline on the channel loop's wheel. */
    private final Timers timers;
    private final Handshake handshake;
    /** Null until the stream starts (and the channel is attached); then its positions. Only on the loop. */
    private StreamPositions positions;

    /**
     * @param timers timers on the channel's event loop (its wheel), for the close deadline
     */
    SseTransport(Channel channel, Metrics metrics, Timers timers, Handshake handshake) {
        // no channel attached until the stream starts: pushes wait, counted, in the queue
        super(channel.eventLoop(), null, metrics);
        this.channel = channel;
        this.timers = timers;
        this.handshake = handshake;
    }

    @Override
    public String name() {
        return "uni_sse";
    }

    @Override
    public void write(byte[] frame) {
        if (frame.length > 0 && frame[0] == '[') {
            if (!outbound.isClosed()) {
                channel.eventLoop().execute(() -> handshake.replied(frame));
            }
            return;
        }
        outbound.write(frame);
    }

    /**
     * Starts the stream, on the loop, once the response head and the handshake's events are written: from now on
     * pushes go out, those that arrived meanwhile first.
     */
    void start(StreamPositions streamPositions) {
        positions = streamPositions;
        outbound.attach(channel);
    }

    @Override
    protected void closed(Disconnect disconnect) {
        channel.eventLoop().execute(() -> {
            if (positions == null) {
                handshake.refused(disconnect);
                return;
            }
            if (!channel.isActive()) {
                return;
            }
            writeEvent(null, disconnectEvent(disconnect));
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
            CloseDeadline.arm(channel, timers, CLOSE_DEADLINE_MILLIS);
        });
    }

    /** Marks the transport closed without sending anything (the peer is gone, or the handshake was answered). */
    void markClosed() {
        outbound.close();
    }

    boolean isClosed() {
        return outbound.isClosed();
    }

    // ---- FrameSink: only Outbound calls these, on the event loop ---------------------------------------------

    @Override
    public void writeFrame(byte[] frame) {
        StreamPositions.Verdict verdict = positions.onPush(frame);
        if (verdict != StreamPositions.Verdict.SKIP) {
            writeEvent(verdict == StreamPositions.Verdict.WITH_ID ? positions.id() : null, frame);
        }
    }

    @Override
    public void flushFrames() {
        channel.flush();
    }

    /** Writes one event without flushing, on the loop: an optional {@code id:} line, then the JSON as data. */
    void writeEvent(String id, byte[] json) {
        ByteBuf event = id == null ? Unpooled.wrappedBuffer(DATA, dataLines(json), END)
                : Unpooled.wrappedBuffer(("id: " + id + "\n").getBytes(StandardCharsets.UTF_8), DATA,
                        dataLines(json), END);
        channel.write(new DefaultHttpContent(event), channel.voidPromise());
    }

    /**
     * The JSON with each line break turned into a new {@code data:} line. A line break in JSON can only be
     * whitespace between tokens (inside strings it is escaped), and EventSource joins data lines with a line feed,
     * so the browser gets valid JSON with the same value. Raw published data may contain them; encoded frames do
     * not, and are returned as they are.
     */
    static byte[] dataLines(byte[] json) {
        int i = 0;
        while (i < json.length && json[i] != '\n' && json[i] != '\r') {
            i++;
        }
        if (i == json.length) {
            return json;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length + 16);
        out.write(json, 0, i);
        for (; i < json.length; i++) {
            byte b = json[i];
            if (b == '\r' || b == '\n') {
                out.writeBytes(LINE_DATA);
                if (b == '\r' && i + 1 < json.length && json[i + 1] == '\n') {
                    i++;
                }
            } else {
                out.write(b);
            }
        }
        return out.toByteArray();
    }

    /** Writes and flushes a keepalive comment, on the loop; returns false when the stream is not running. */
    boolean ping(ChannelFutureListener onFailure) {
        if (positions == null || outbound.isClosed() || !channel.isActive()) {
            return false;
        }
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(PING))).addListener(onFailure);
        return true;
    }

    /** {@code {"method":"disconnect","body":{"reason":…,"reconnect":…}}}: the advice of a v1 close frame. */
    static byte[] disconnectEvent(Disconnect disconnect) {
        return ("{\"method\":\"disconnect\",\"body\":" + disconnect.toJson() + "}").getBytes(StandardCharsets.UTF_8);
    }
}
