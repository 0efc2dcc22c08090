package dev.rotor.server.http;

import dev.rotor.node.ClientQueueBudget;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.AttributeKey;

/**
 * The answers an HTTP connection has not handed to its socket yet, counted against {@code client_queue_budget}
 * (docs/security.md, "Client queues together"). A peer that does not read holds one answer per connection (later
 * requests wait, see {@code ReadGate}), but an answer may be large (a file of the web interface from
 * {@code web_path}, up to 16 MiB) and connections are many, so the answers together count like the client queues.
 * Counted once an answer leaves the connection unwritable (past its high water mark, 256 KiB); created for a
 * connection the first time, and forgotten when it closes.
 *
 * <p>Thread-safe: {@link #count} on the connection's event loop; the budget may read and close it from any thread.
 */
public final class HttpAnswerQueue extends ClientQueueBudget.CountedQueue {
    private static final AttributeKey<HttpAnswerQueue> KEY = AttributeKey.valueOf(HttpAnswerQueue.class, "queue");

    private final Channel channel;

    private HttpAnswerQueue(Channel channel) {
        this.channel = channel;
    }

    /**
     * Reports {@code channel}'s unsent bytes to {@code budget} when they are past its floor or were counted before;
     * call on the event loop after an answer was written (the bytes are then in the channel).
     */
    public static void count(Channel channel, ClientQueueBudget budget) {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
        HttpAnswerQueue queue = channel.attr(KEY).get();
        if (queue == null) {
            if (pending <= ClientQueueBudget.FLOOR) {
                return;
            }
            queue = new HttpAnswerQueue(channel);
            channel.attr(KEY).set(queue);
            HttpAnswerQueue counted = queue;
            channel.closeFuture().addListener(f -> budget.forget(counted));
        }
        if (ClientQueueBudget.mustReport(queue, pending)) {
            budget.report(queue, pending);
        }
    }

    @Override
    protected long queuedBytes() {
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    @Override
    protected boolean isClosed() {
        return !channel.isOpen();
    }

    @Override
    protected void closeOverBudget() {
        channel.close();
    }
}
