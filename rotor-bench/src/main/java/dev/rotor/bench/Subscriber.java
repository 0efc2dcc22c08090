package dev.rotor.bench;

import io.netty.channel.ChannelFuture;
import java.util.concurrent.CompletableFuture;

/**
 * One load-generator client, whatever its transport: {@link #ready()} completes once its connect + subscribe was
 * accepted; afterwards every received push is scanned for payload timestamps. Thread-safe as far as these methods go.
 */
interface Subscriber {
    /** Receives each delivery's embedded send timestamp; called on an event loop. */
    interface Sink {
        void delivered(long sentNanos);
    }

    CompletableFuture<? extends Subscriber> ready();

    boolean isOpen();

    /** Closes the TCP connection(s) abruptly, like a client going away. */
    ChannelFuture close();

    /** How often the server ended a streaming response and the client opened the next one (0 when not streaming). */
    default int recycles() {
        return 0;
    }
}
