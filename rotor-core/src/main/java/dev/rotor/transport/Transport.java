package dev.rotor.transport;

import dev.rotor.protocol.Disconnect;

/**
 * One client connection as the core sees it: a sink of encoded protocol frames.
 *
 * <p>Thread-safe: {@link #write} and {@link #close} may be called from any thread and never block. Frames are
 * delivered in the order of {@code write} calls. The byte arrays passed in are shared between many connections
 * (encode once, write many) and must never be modified.
 */
public interface Transport {

    /** Transport name as v1 reports it ({@code websocket} or {@code sockjs}). */
    String name();

    /**
     * Queues one protocol frame (a JSON reply, reply array or push). A write after close is silently dropped.
     * Implementations coalesce: frames queued before the next flush go out together.
     */
    void write(byte[] frame);

    /**
     * Queues one push frame of a fan-out, like {@link #write(byte[])} and in the same order with respect to every
     * other write of this connection, but may leave the task that hands it to the network to {@code batch}, which
     * runs one such task per executor after the fan-out. The default writes at once.
     */
    default void write(byte[] frame, WriteBatch batch) {
        write(frame);
    }

    /** Bytes queued but not yet handed to the network, used for the slow-client check ({@code client_queue_max_size}). */
    long queuedBytes();

    /**
     * Closes the connection with the given advice (close code 3000 on raw WebSocket, {@code c[3000,...]} on SockJS).
     * Frames still queued are discarded (client-protocol.md §3). Idempotent: only the first call has effect.
     */
    void close(Disconnect disconnect);

    /**
     * Closes like {@link #close}, then drops the connection at once instead of waiting for the close to be written,
     * freeing what it holds: for a peer chosen for one of the largest queues ({@code client_queue_budget}), whose
     * close would wait behind everything it has not read. The default only closes.
     */
    default void closeAndDrop(Disconnect disconnect) {
        close(disconnect);
    }
}
