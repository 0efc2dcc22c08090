package dev.rotor.server.transport;

import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.transport.Transport;
import dev.rotor.transport.WriteBatch;
import io.netty.channel.Channel;
import java.util.concurrent.Executor;

/**
 * A client {@link Transport} on the shared outbound path: its writes, its byte count for the slow-client check and
 * its close go through one {@link Outbound}; a subclass only frames bytes (the {@link FrameSink} half) and says what
 * closing sends ({@link #closed}). The raw WebSocket, SockJS and SSE transports are its subclasses.
 *
 * <p>Thread-safe as {@link Outbound} is: the {@code Transport} methods from any thread, the {@code FrameSink}
 * methods only on the connection's event loop.
 */
public abstract class OutboundTransport implements Transport, FrameSink {
    /** The connection's outbound path; a subclass attaches and detaches channels and reads its state. */
    protected final Outbound outbound;

    /**
     * @param loop    the connection's event loop: drains, and so the subclass's framing, run there
     * @param channel the channel the frames go to; null when one {@linkplain Outbound#attach attaches} later
     */
    protected OutboundTransport(Executor loop, Channel channel, Metrics metrics) {
        this.outbound = new Outbound(loop, channel, this, metrics);
    }

    @Override
    public void write(byte[] frame) {
        outbound.write(frame);
    }

    @Override
    public final void write(byte[] frame, WriteBatch batch) {
        outbound.write(frame, batch);
    }

    @Override
    public final long queuedBytes() {
        return outbound.queuedBytes();
    }

    /**
     * Closes once: frames still queued are discarded, not flushed (client-protocol.md §3), then {@link #closed} sends
     * the transport's own close. Later calls do nothing.
     */
    @Override
    public final void close(Disconnect disconnect) {
        if (outbound.close()) {
            closed(disconnect);
        }
    }

    /** {@link #close}, then the channel is closed on its loop right after the transport's own close was sent. */
    @Override
    public final void closeAndDrop(Disconnect disconnect) {
        close(disconnect);
        outbound.dropChannel();
    }

    /**
     * Carries out the first {@link #close}, on the calling thread (any thread) after the queue was discarded: the
     * subclass sends its close (a close frame, a final event) on the event loop.
     */
    protected abstract void closed(Disconnect disconnect);
}
