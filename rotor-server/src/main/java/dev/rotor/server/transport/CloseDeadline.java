package dev.rotor.server.transport;

import dev.rotor.timer.Timers;
import io.netty.channel.Channel;
import java.util.concurrent.TimeUnit;

/**
 * The deadline of a connection the server is closing (after a WebSocket close frame, after the last chunk of an
 * event stream): the channel is closed after {@code millis} unless it closed before, so a peer that does not read
 * cannot hold it open. The timer is cancelled as soon as the channel closes. Left armed, it would keep the closed
 * connection (its channel, pipeline and session) reachable until the deadline. Under connection churn every
 * connection would then outlive a young collection and be promoted, to be reclaimed only by a full collection
 * (docs/benchmarks.md, "Close deadlines cancelled on close").
 *
 * <p>Stateless; call on the channel's event loop.
 */
public final class CloseDeadline {
    private CloseDeadline() {
    }

    /** Closes {@code channel} in {@code millis} ms unless it has closed by then; {@code timers} on its loop. */
    public static void arm(Channel channel, Timers timers, long millis) {
        Timers.Cancellable deadline = timers.schedule(channel::close, millis, TimeUnit.MILLISECONDS);
        // runs at once when the channel is already closed
        channel.closeFuture().addListener(f -> deadline.cancel());
    }
}
