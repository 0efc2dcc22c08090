package dev.rotor.server.websocket;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SharedFramesTest {
    private final ByteBufAllocator alloc = ByteBufAllocator.DEFAULT;

    /** What Netty's own server-side encoder writes for the same text frame. */
    private static byte[] nettyEncoded(byte[] payload) {
        EmbeddedChannel ch = new EmbeddedChannel(new WebSocket13FrameEncoder(false));
        ch.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf part; (part = ch.readOutbound()) != null; ) {
            out.writeBytes(part);
            part.release();
        }
        ch.finishAndReleaseAll();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        return bytes;
    }

    @Test
    void encodingIsByteForByteWhatTheNettyEncoderWritesForEveryLengthClass() {
        for (int n : new int[] {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
            byte[] payload = new byte[n];
            Arrays.fill(payload, (byte) 'a');
            ByteBuf ours = SharedFrames.encode(payload, alloc);
            byte[] bytes = new byte[ours.readableBytes()];
            ours.readBytes(bytes);
            ours.release();
            assertThat(bytes).as("length %d", n).isEqualTo(nettyEncoded(payload));
        }
    }

    @Test
    void theSameArrayIsEncodedOnceAndSharedAndANewArrayReplacesIt() {
        // unpooled, so that a released buffer object is not recycled for the next frame
        ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
        SharedFrames frames = new SharedFrames();
        byte[] publication = "{\"method\":\"message\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        ByteBuf a = frames.textFrame(publication, alloc);
        ByteBuf b = frames.textFrame(publication, alloc);
        // derived buffers share their parent's count: the slot's reference plus a and b
        assertThat(a.refCnt()).as("one encoded buffer behind both").isEqualTo(3);
        assertThat(a.readableBytes()).isEqualTo(publication.length + 2);
        assertThat(a).isEqualTo(b);
        a.release();
        b.release();
        assertThat(b.refCnt()).as("the slot still holds it").isEqualTo(1);
        ByteBuf c = frames.textFrame(publication.clone(), alloc);
        assertThat(b.refCnt()).as("a different array releases the old frame").isZero();
        assertThat(c.refCnt()).isEqualTo(2);
        c.release();
    }
}
