package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.metrics.Metrics;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.transport.WriteBatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * {@link WebSocketFrames}: the framed bytes are what a client-side RFC 6455 decoder (Netty's, expecting unmasked
 * frames) reads back, for every length encoding; one framed buffer per thread is shared by writes of the same array
 * and released when another frame replaces it.
 */
class WebSocketFramesTest {
    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;

    /** Decodes {@code framed} as a client would (server frames are unmasked). */
    private static String decode(ByteBuf framed) {
        EmbeddedChannel client = new EmbeddedChannel(new WebSocket13FrameDecoder(false, false, 1 << 20));
        client.writeInbound(framed);
        TextWebSocketFrame frame = client.readInbound();
        assertThat(frame).isNotNull();
        assertThat(frame.isFinalFragment()).isTrue();
        String text = frame.text();
        frame.release();
        assertThat((Object) client.readInbound()).as("exactly one frame").isNull();
        client.finishAndReleaseAll();
        return text;
    }

    private static byte[] payload(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + i % 26);
        }
        return b;
    }

    @Test
    void everyLengthEncodingDecodesToThePayload() {
        WebSocketFrames frames = new WebSocketFrames();
        for (int n : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, WebSocketFrames.MAX_CACHED + 1, 200_000}) {
            byte[] p = payload(n);
            ByteBuf framed = frames.frame(p, alloc);
            assertThat(framed.readableBytes()).as("length %d", n).isEqualTo(WebSocketFrames.headerLength(n) + n);
            assertThat(decode(framed)).as("length %d", n).isEqualTo(new String(p, StandardCharsets.US_ASCII));
        }
    }

    @Test
    void writesOfTheSameArrayShareOneBufferUntilAnotherFrameReplacesIt() {
        WebSocketFrames frames = new WebSocketFrames();
        // unpooled duplicates share their parent's reference count, which makes the sharing visible
        ByteBufAllocator unpooled = new UnpooledByteBufAllocator(true);
        byte[] push = "{\"method\":\"message\"}".getBytes(StandardCharsets.UTF_8);
        ByteBuf a = frames.frame(push, unpooled);
        ByteBuf b = frames.frame(push, unpooled);
        assertThat(a.memoryAddress()).as("both are duplicates of one framed buffer").isEqualTo(b.memoryAddress());
        assertThat(a.refCnt()).as("the cache's reference and one per duplicate").isEqualTo(3);

        // an equal but distinct array (another publication) is framed anew, and the old buffer is let go
        ByteBuf c = frames.frame(Arrays.copyOf(push, push.length), unpooled);
        assertThat(c.memoryAddress()).isNotEqualTo(a.memoryAddress());
        assertThat(a.refCnt()).isEqualTo(2);
        a.release();
        assertThat(b.refCnt()).isEqualTo(1);
        b.release();
        assertThat(b.refCnt()).as("freed once the writes are done").isZero();
        assertThat(decode(c)).isEqualTo("{\"method\":\"message\"}");
    }

    @Test
    void aTransportWithSharedFramesWritesCompleteFramesInCallOrder() {
        EmbeddedChannel ch = new EmbeddedChannel();
        WebSocketTransport t = new WebSocketTransport(ch, new Metrics(), new LoopTimers(ch.eventLoop()).timers(ch.eventLoop()),
                new WebSocketFrames());
        byte[] push = "push".getBytes(StandardCharsets.UTF_8);
        t.write("reply".getBytes(StandardCharsets.UTF_8));
        WriteBatch batch = new WriteBatch();
        t.write(push, batch);
        batch.run();
        ch.runPendingTasks();
        ByteBuf first = ch.readOutbound();
        ByteBuf second = ch.readOutbound();
        assertThat(decode(first)).isEqualTo("reply");
        assertThat(decode(second)).isEqualTo("push");
        assertThat((Object) ch.readOutbound()).isNull();
        ch.finishAndReleaseAll();
    }
}
