package dev.rotor.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObjectAggregator;
import java.util.List;

/**
 * The end of a connection's HTTP phase, when its request made it something else (a WebSocket, an event stream): the
 * phase's handlers of requests, which {@code ServerInitializer.addHttpPhase} put in, leave the pipeline. Stateless.
 */
public final class HttpPhase {
    /** Aggregation, deadlines, head checks, body budget: what handles a next request, of which there is none. */
    private static final List<Class<? extends ChannelHandler>> HANDLERS = List.of(HttpObjectAggregator.class,
            HttpDeadlineHandler.class, RequestHeadHandler.class, BodyBudgetHandler.class);

    private HttpPhase() {
    }

    /**
     * Removes the phase's handlers from {@code p}, on its event loop; what they hold (an aggregated part, a body
     * budget share, a deadline) is released.
     */
    public static void end(ChannelPipeline p) {
        for (Class<? extends ChannelHandler> h : HANDLERS) {
            if (p.get(h) != null) {
                p.remove(h);
            }
        }
    }
}
