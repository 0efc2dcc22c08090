package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.server.transport.LoopTimers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The control-frame handler on an {@link EmbeddedChannel} (RFC 6455 §5.1, §5.2, §5.5; client-protocol.md §9). */
class WebSocketControlHandlerTest {

    /** Records the user events that pass the control handler. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<Object> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            seen.add(evt);
        }
    }

    private final Events events = new Events();

    private EmbeddedChannel channel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new WebSocketControlHandler(new LoopTimers(ch.eventLoop()).timers(ch.eventLoop())),
                events);
        return ch;
    }

    /** A channel whose decoder is configured as after an upgrade without a negotiated extension. */
    private EmbeddedChannel decodingChannel() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(1024)
                .allowExtensions(false).allowMaskMismatch(false).closeOnProtocolViolation(false).build();
        ch.pipeline().addLast(new WebSocket13FrameDecoder(config),
                new WebSocketControlHandler(new LoopTimers(ch.eventLoop()).timers(ch.eventLoop())), events);
        return ch;
    }

    private static ByteBuf ascii(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    /** Flips writability as the outbound buffer would; Netty delivers the event as a task, run here. */
    private static void setWritable(EmbeddedChannel ch, boolean writable) {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        ch.runPendingTasks();
    }

    private static String pongPayload(Object frame) {
        assertThat(frame).isInstanceOf(PongWebSocketFrame.class);
        PongWebSocketFrame pong = (PongWebSocketFrame) frame;
        try {
            return pong.content().toString(StandardCharsets.US_ASCII);
        } finally {
            pong.release();
        }
    }

    private static void assertClose(EmbeddedChannel ch, int code) {
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close).isNotNull();
        try {
            assertThat(close.statusCode()).isEqualTo(code);
            assertThat(close.reasonText()).isEmpty();
        } finally {
            close.release();
        }
        assertThat((Object) ch.readOutbound()).as("one close frame, nothing after it").isNull();
        assertThat(ch.isOpen()).as("closed once the close frame is written").isFalse();
    }

    @Test
    void aPingIsAnsweredWithItsPayloadAndNotPassedOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new PingWebSocketFrame(ascii("a")), new PingWebSocketFrame(ascii("b")));
        assertThat(pongPayload(ch.readOutbound())).isEqualTo("a");
        assertThat(pongPayload(ch.readOutbound())).isEqualTo("b");
        assertThat((Object) ch.readInbound()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    void whileNotWritableOnlyTheLatestPingIsAnsweredOnceWritabilityReturns() {
        EmbeddedChannel ch = channel();
        setWritable(ch, false);
        for (int i = 1; i <= 1000; i++) {
            ch.writeInbound(new PingWebSocketFrame(ascii("p" + i)));
        }
        assertThat((Object) ch.readOutbound()).as("no pong while the peer does not read").isNull();

        setWritable(ch, true);
        assertThat(pongPayload(ch.readOutbound())).isEqualTo("p1000");
        assertThat((Object) ch.readOutbound()).isNull();
        setWritable(ch, false);
        setWritable(ch, true);
        assertThat((Object) ch.readOutbound()).as("an answered ping is not answered again").isNull();
        assertFalse(ch.finish());
    }

    @Test
    void aPingPendingWhenTheChannelClosesIsReleased() {
        EmbeddedChannel ch = channel();
        setWritable(ch, false);
        PingWebSocketFrame ping = new PingWebSocketFrame(ascii("x"));
        ByteBuf payload = ping.content();
        ch.writeInbound(ping);
        assertThat(payload.refCnt()).isEqualTo(1);
        ch.close();
        assertThat(payload.refCnt()).isZero();
        assertFalse(ch.finish());
    }

    @Test
    void aPongIsConsumedAndReportedAsAnEvent() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new PongWebSocketFrame(ascii("ping")));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(events.seen).containsExactly(WebSocketControlHandler.PONG);
        assertFalse(ch.finish());
    }

    @Test
    void dataFramesPassOn() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new TextWebSocketFrame("{}"));
        TextWebSocketFrame text = ch.readInbound();
        assertThat(text.text()).isEqualTo("{}");
        text.release();
        assertFalse(ch.finish());
    }

    @Test
    void aClientCloseIsEchoedWithItsCodeWithoutReasonAndTheConnectionCloses() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new CloseWebSocketFrame(4001, "bye"));
        assertThat(events.seen).containsExactly(WebSocketControlHandler.CLOSING);
        assertClose(ch, 4001);
        assertFalse(ch.finish());
    }

    @Test
    void theCloseDeadlineLeavesTheWheelOnceTheConnectionHasClosed() {
        // left armed, the deadline would keep the closed connection reachable for a second (CloseDeadline)
        EmbeddedChannel ch = new EmbeddedChannel();
        LoopTimers timers = new LoopTimers(ch.eventLoop());
        ch.pipeline().addLast(new WebSocketControlHandler(timers.timers(ch.eventLoop())), events);
        ch.writeInbound(new CloseWebSocketFrame(1000, ""));
        assertClose(ch, 1000);
        assertThat(ch.isOpen()).isFalse();
        assertThat(timers.wheel(ch.eventLoop()).size()).isZero();
    }

    @Test
    void aClientCloseWithoutCodeIsEchoedWithoutCode() {
        EmbeddedChannel ch = channel();
        ch.writeInbound(new CloseWebSocketFrame());
        CloseWebSocketFrame close = ch.readOutbound();
        assertThat(close.statusCode()).isEqualTo(-1);
        assertThat(close.content().readableBytes()).isZero();
        close.release();
        assertThat(ch.isOpen()).isFalse();
        assertFalse(ch.finish());
    }

    /** Keeps every write pending, as a socket the peer does not read from: the channel stays open. */
    private static final class HeldWrites extends ChannelOutboundHandlerAdapter {
        final List<Object> held = new ArrayList<>();

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            held.add(msg);
        }
    }

    @Test
    void theClientsAnswerToOurCloseFrameOnlyClosesTheConnection() {
        EmbeddedChannel ch = channel();
        HeldWrites writes = new HeldWrites();
        ch.pipeline().addFirst(writes);
        assertThat(WebSocketClose.send(ch, new CloseWebSocketFrame(3000, "{}"),
                new LoopTimers(ch.eventLoop()).timers(ch.eventLoop()))).isTrue();
        assertThat(ch.isOpen()).as("our close frame is not written yet").isTrue();

        ch.writeInbound(new CloseWebSocketFrame(3000, ""), new PingWebSocketFrame(ascii("late")));
        assertThat(ch.isOpen()).isFalse();
        assertThat(writes.held).as("no second close frame, no pong after it").hasSize(1);
        assertThat(((CloseWebSocketFrame) writes.held.get(0)).statusCode()).isEqualTo(3000);
        writes.held.forEach(ReferenceCountUtil::release);
        assertThat(events.seen).isEmpty();
        assertFalse(ch.finish());
    }

    @Test
    void aSecondCloseFrameIsNeverSent() {
        EmbeddedChannel ch = new EmbeddedChannel();
        LoopTimers timers = new LoopTimers(ch.eventLoop());
        assertThat(WebSocketClose.send(ch, new CloseWebSocketFrame(1000, ""), timers.timers(ch.eventLoop())))
                .isTrue();
        CloseWebSocketFrame close = new CloseWebSocketFrame(3000, "{}");
        assertThat(WebSocketClose.send(ch, close, timers.timers(ch.eventLoop()))).isFalse();
        assertThat(close.refCnt()).isZero();
        ReferenceCountUtil.release(ch.readOutbound());
        assertThat((Object) ch.readOutbound()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    void anUnmaskedClientFrameIsClosedWithProtocolError() {
        EmbeddedChannel ch = decodingChannel();
        // FIN + text, unmasked, payload "hi", then a ping that must not be answered
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, 0x02, 'h', 'i', (byte) 0x89, 0}));
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(events.seen).containsExactly(WebSocketControlHandler.CLOSING);
        assertClose(ch, 1002);
        assertFalse(ch.finish());
    }

    @Test
    void reservedBitsWithoutANegotiatedExtensionAreClosedWithProtocolError() {
        EmbeddedChannel ch = decodingChannel();
        // FIN + RSV1 + text, masked with a zero key, payload "hi"
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0xC1, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'}));
        assertThat((Object) ch.readInbound()).isNull();
        assertClose(ch, 1002);
        assertFalse(ch.finish());
    }

    @Test
    void aMaskedClientFrameWithoutReservedBitsPasses() {
        EmbeddedChannel ch = decodingChannel();
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'}));
        TextWebSocketFrame text = ch.readInbound();
        assertThat(text.text()).isEqualTo("hi");
        text.release();
        assertThat(ch.isOpen()).isTrue();
        assertFalse(ch.finish());
    }

    @Test
    void reservedBitsLeftAfterTheExtensionsAreClosedWithProtocolError() {
        EmbeddedChannel ch = channel();
        // RSV2: no extension Rotor negotiates defines it, so it survives permessage-deflate's decoder
        ch.writeInbound(new TextWebSocketFrame(true, 2, ascii("x")));
        assertThat((Object) ch.readInbound()).isNull();
        assertClose(ch, 1002);
        assertFalse(ch.finish());
    }

    @Test
    void aMessageOverTheLimitIsClosedWithMessageTooBig() {
        EmbeddedChannel ch = channel();
        ch.pipeline().fireExceptionCaught(new TooLongFrameException("content length exceeded"));
        assertClose(ch, 1009);
        assertFalse(ch.finish());
    }

    @Test
    void aFrameOverTheDecodersLimitIsClosedWithMessageTooBig() {
        EmbeddedChannel ch = decodingChannel();
        // masked text frame announcing 2000 bytes (16-bit length), over the 1024 limit
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {(byte) 0x81, (byte) 0xFE, 0x07, (byte) 0xD0, 0, 0, 0, 0}));
        assertClose(ch, 1009);
        assertFalse(ch.finish());
    }
}
