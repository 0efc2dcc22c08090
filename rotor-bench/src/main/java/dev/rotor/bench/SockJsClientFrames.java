package dev.rotor.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;

/**
 * The client side of SockJS 0.3.3 framing for one generator client: {@code o} sends the v1 connect + subscribe
 * frame, {@code h} is skipped, {@code a[...]} is checked for the subscribe reply and scanned for (JSON-escaped)
 * payload timestamps without JSON parsing, {@code c[...]} ends the client. Confined to the client's event loop.
 */
final class SockJsClientFrames {
    /** {@code "status":true} as it appears JSON-escaped inside {@code a["..."]}. */
    private static final byte[] OK = "\\\"status\\\":true".getBytes(StandardCharsets.US_ASCII);
    /** {@link Payloads#MARKER} as it appears JSON-escaped inside {@code a["..."]}. */
    static final byte[] TS_MARKER = "\\\"ts\\\":".getBytes(StandardCharsets.US_ASCII);

    /** What a frame asks of its connection. */
    enum Action { CONTINUE, SEND_HELLO, CLOSE }

    private final CompletableFuture<? extends Subscriber> ready;
    private final Runnable complete;
    private final Subscriber.Sink sink;

    /**
     * @param ready    failed here on a refusal or a close frame before the subscribe reply
     * @param complete completes {@code ready} (called once, on the subscribe reply)
     */
    SockJsClientFrames(CompletableFuture<? extends Subscriber> ready, Runnable complete, Subscriber.Sink sink) {
        this.ready = ready;
        this.complete = complete;
        this.sink = sink;
    }

    /** The body of a SockJS send: a JSON array holding the frame as one string, e.g. {@code ["[{\"method\"…"]}. */
    static byte[] wrap(byte[] frame) {
        String s = new String(frame, StandardCharsets.UTF_8);
        StringBuilder sb = new StringBuilder(s.length() + 16).append("[\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append("\"]").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Handles the SockJS frame in {@code buf[from, to)} (no newline). */
    Action onFrame(ByteBuf buf, int from, int to) {
        if (from >= to) {
            return Action.CONTINUE;
        }
        switch (buf.getByte(from)) {
            case 'o':
                return Action.SEND_HELLO;
            case 'h':
                return Action.CONTINUE;
            case 'a':
                if (!ready.isDone()) {
                    if (indexOf(buf, from, to, OK) >= 0) {
                        complete.run();
                    } else {
                        ready.completeExceptionally(new IllegalStateException(
                                "connect/subscribe refused: " + text(buf, from, to)));
                        return Action.CLOSE;
                    }
                }
                Payloads.scan(buf, from, to, TS_MARKER, sink::delivered);
                return Action.CONTINUE;
            case 'c':
                ready.completeExceptionally(new IllegalStateException("SockJS session closed: " + text(buf, from, to)));
                return Action.CLOSE;
            default:
                ready.completeExceptionally(new IllegalStateException("not a SockJS frame: " + text(buf, from, to)));
                return Action.CLOSE;
        }
    }

    private static String text(ByteBuf buf, int from, int to) {
        return buf.toString(from, Math.min(to - from, 300), StandardCharsets.UTF_8);
    }

    private static int indexOf(ByteBuf buf, int from, int to, byte[] needle) {
        ByteBuf slice = buf.slice(from, to - from);
        int i = io.netty.buffer.ByteBufUtil.indexOf(Unpooled.wrappedBuffer(needle), slice);
        return i < 0 ? -1 : from + i;
    }

    /**
     * Splits a streaming response body into {@code \n}-ended SockJS frames across chunk boundaries. A line split
     * between chunks is kept in a small buffer until its end arrives. Confined to one event loop; {@link #reset}
     * releases the buffer.
     */
    static final class Lines {
        /** Receives one complete line {@code buf[from, to)}; returns false to stop reading this chunk. */
        interface LineSink {
            boolean line(ByteBuf buf, int from, int to);
        }

        /** The start of a line whose end has not arrived yet; null when none. */
        private ByteBuf partial;

        /** Feeds one chunk (not consumed or released); returns false when the sink stopped. */
        boolean feed(ByteBuf chunk, ByteBufAllocator alloc, LineSink sink) {
            ByteBuf src = chunk;
            ByteBuf owned = null;
            if (partial != null) {
                partial.writeBytes(chunk, chunk.readerIndex(), chunk.readableBytes());
                src = partial;
                owned = partial;
                partial = null;
            }
            try {
                int start = src.readerIndex();
                int end = src.writerIndex();
                while (start < end) {
                    int nl = src.forEachByte(start, end - start, ByteProcessor.FIND_LF);
                    if (nl < 0) {
                        break;
                    }
                    if (!sink.line(src, start, nl)) {
                        return false;
                    }
                    start = nl + 1;
                }
                if (start < end) {
                    partial = alloc.buffer(end - start + 256);
                    partial.writeBytes(src, start, end - start);
                }
                return true;
            } finally {
                if (owned != null) {
                    owned.release();
                }
            }
        }

        /** Drops a pending partial line (a response ended or the connection closed). */
        void reset() {
            if (partial != null) {
                partial.release();
                partial = null;
            }
        }
    }
}
