package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.server.transport.BackPressureHandler;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The router's deferral of requests that must wait (docs/security.md, "Pipelined requests"), at the edges: a request
 * the decoder completes as the connection closes is let go, not kept waiting after the gate dropped what waited.
 */
class HttpRouterDeferralTest {
    @Test
    void aRequestDecodedAsTheConnectionClosesIsLetGo() {
        List<FullHttpRequest> seen = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new BackPressureHandler(new LoopTimers(ch.eventLoop()), 0));
        ch.pipeline().addLast(new HttpServerCodec());
        ch.pipeline().addLast(new HttpObjectAggregator(1 << 20));
        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                seen.add((FullHttpRequest) msg);
                ctx.fireChannelRead(msg);
            }
        });
        ch.pipeline().addLast(new HttpRouterHandler(new HttpRouterHandler.Endpoints(null, null, null, null, "", null,
                null, () -> false), Set.of()));
        // a request head cut short, then the peer closes: the decoder completes it (as invalid) at the close
        ch.writeInbound(Unpooled.copiedBuffer("POST /x HTTP/1.1\r\nHost: a\r\n", StandardCharsets.US_ASCII));
        ch.close();
        ch.runPendingTasks();
        assertThat(seen).as("the request completed at the close").hasSize(1);
        // before the fix a closed channel, not being writable, made the router keep it waiting, retained, for good
        assertThat(ReadGate.of(ch).answerHeld()).as("a request waits after the close").isFalse();
    }
}
