package dev.rotor.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Raw HTTP bytes in and out of an {@link EmbeddedChannel} whose pipeline starts with an HTTP server codec. */
final class EmbeddedHttp {
    private EmbeddedHttp() {
    }

    /** Writes {@code text} as inbound bytes (ISO-8859-1, as on the wire). */
    static void send(EmbeddedChannel ch, String text) {
        ch.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.ISO_8859_1));
    }

    /** Everything written out so far as text; releases what it reads. */
    static String output(EmbeddedChannel ch) {
        StringBuilder sb = new StringBuilder();
        Object out;
        while ((out = ch.readOutbound()) != null) {
            if (out instanceof ByteBuf b) {
                sb.append(b.toString(StandardCharsets.ISO_8859_1));
            } else {
                sb.append(out);
            }
            ReferenceCountUtil.release(out);
        }
        return sb.toString();
    }

    /** Releases every inbound message that reached the end of the pipeline; returns how many. */
    static int drainInbound(EmbeddedChannel ch) {
        int n = 0;
        Object in;
        while ((in = ch.readInbound()) != null) {
            ReferenceCountUtil.release(in);
            n++;
        }
        return n;
    }

    /** Moves the frozen clock and runs what became due (the loop's timer wheel driver among it). */
    static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }
}
