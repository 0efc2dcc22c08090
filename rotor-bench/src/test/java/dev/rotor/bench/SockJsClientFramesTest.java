package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The generator's SockJS framing: the send body, frame dispatch with JSON-escaped payloads (built with Jackson, as
 * a server escapes them) and the streaming line splitter across chunk boundaries.
 */
class SockJsClientFramesTest {
    private final ObjectMapper json = new ObjectMapper();
    private final CompletableFuture<Subscriber> ready = new CompletableFuture<>();
    private final List<Long> delivered = new ArrayList<>();
    private final SockJsClientFrames frames = new SockJsClientFrames(ready, () -> ready.complete(null),
            delivered::add);

    private static ByteBuf buf(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
    }

    private SockJsClientFrames.Action frame(String s) {
        ByteBuf b = buf(s);
        try {
            return frames.onFrame(b, b.readerIndex(), b.writerIndex());
        } finally {
            b.release();
        }
    }

    /** {@code a[...]} carrying the given protocol frames, JSON-escaped by Jackson. */
    private String messages(String... protocolFrames) throws Exception {
        return "a" + json.writeValueAsString(List.of(protocolFrames));
    }

    private static String push(Payloads p, long ts) throws Exception {
        String data = new ObjectMapper().readTree(p.stamp(ts)).get("params").get("data").toString();
        return "{\"method\":\"message\",\"body\":{\"uid\":\"u\",\"channel\":\"x\",\"data\":" + data + "}}";
    }

    @Test
    void wrapIsAJsonArrayOfTheFrameAsOneString() throws Exception {
        String hello = "[{\"method\":\"connect\",\"params\":{\"user\":\"u\\\\1\",\"info\":\"\"}}]";
        byte[] body = SockJsClientFrames.wrap(hello.getBytes(StandardCharsets.UTF_8));
        assertThat(json.readValue(body, String[].class)).containsExactly(hello);
    }

    @Test
    void openAsksForTheHelloAndTheSubscribeReplyCompletesReady() throws Exception {
        assertThat(frame("o")).isEqualTo(SockJsClientFrames.Action.SEND_HELLO);
        assertThat(frame("h")).isEqualTo(SockJsClientFrames.Action.CONTINUE);
        assertThat(frame("h".repeat(2048))).as("the xhr prelude").isEqualTo(SockJsClientFrames.Action.CONTINUE);
        assertThat(ready).isNotDone();
        String replies = "[{\"method\":\"connect\",\"body\":{\"client\":\"c\"}},"
                + "{\"method\":\"subscribe\",\"body\":{\"channel\":\"x\",\"status\":true}}]";
        assertThat(frame(messages(replies))).isEqualTo(SockJsClientFrames.Action.CONTINUE);
        assertThat(ready).isCompleted();
        assertThat(delivered).isEmpty();
    }

    @Test
    void everyEscapedTimestampOfACoalescedFrameIsFound() throws Exception {
        frame(messages("[{\"method\":\"subscribe\",\"body\":{\"status\":true}}]"));
        Payloads p = Payloads.publishes(List.of("x"), 100);
        long t1 = System.nanoTime();
        long t2 = t1 + 987_654_321;
        long t3 = t2 + 1;
        // three pushes coalesced into one a[...] frame, the second and third as one reply array
        String frame = messages(push(p, t1), "[" + push(p, t2) + "," + push(p, t3) + "]");
        assertThat(frame).contains("\\\"ts\\\":");
        assertThat(frame(frame)).isEqualTo(SockJsClientFrames.Action.CONTINUE);
        assertThat(delivered).containsExactly(t1, t2, t3);
        // the raw marker does not occur in the escaped frame and vice versa: no double counting
        ByteBuf b = buf(frame);
        assertThat(Payloads.scan(b, v -> { })).isZero();
        b.release();
    }

    @Test
    void refusalAndCloseFramesEndTheClient() throws Exception {
        assertThat(frame(messages("[{\"method\":\"connect\",\"error\":\"invalid token\"}]")))
                .isEqualTo(SockJsClientFrames.Action.CLOSE);
        assertThat(ready).isCompletedExceptionally();

        CompletableFuture<Subscriber> other = new CompletableFuture<>();
        SockJsClientFrames f = new SockJsClientFrames(other, () -> other.complete(null), v -> { });
        ByteBuf close = buf("c[3000,\"{\\\"reason\\\":\\\"shutdown\\\",\\\"reconnect\\\":true}\"]");
        assertThat(f.onFrame(close, 0, close.writerIndex())).isEqualTo(SockJsClientFrames.Action.CLOSE);
        assertThat(other).isCompletedExceptionally();
        close.release();
        ByteBuf junk = buf("{\"not\":\"sockjs\"}");
        assertThat(f.onFrame(junk, 0, junk.writerIndex())).isEqualTo(SockJsClientFrames.Action.CLOSE);
        junk.release();
    }

    @Test
    void linesAreSplitAcrossChunksWhereverTheChunksEnd() throws Exception {
        frame(messages("[{\"method\":\"subscribe\",\"body\":{\"status\":true}}]"));
        Payloads p = Payloads.publishes(List.of("x"), 100);
        long t1 = System.nanoTime();
        long t2 = t1 + 5;
        String body = "h".repeat(2048) + "\no\nh\n" + messages(push(p, t1)) + "\n" + messages(push(p, t2)) + "\n";
        // every split point, including inside a timestamp and right at a newline
        for (int cut = 1; cut < body.length(); cut += 7) {
            delivered.clear();
            List<String> lines = new ArrayList<>();
            SockJsClientFrames.Lines splitter = new SockJsClientFrames.Lines();
            ByteBufAllocator alloc = UnpooledByteBufAllocator.DEFAULT;
            for (String chunk : List.of(body.substring(0, cut), body.substring(cut))) {
                ByteBuf b = buf(chunk);
                assertThat(splitter.feed(b, alloc, (buf, from, to) -> {
                    lines.add(buf.toString(from, to - from, StandardCharsets.UTF_8));
                    frames.onFrame(buf, from, to);
                    return true;
                })).isTrue();
                assertThat(b.refCnt()).as("the chunk is not released by the splitter").isEqualTo(1);
                b.release();
            }
            assertThat(lines).as("cut at %d", cut).hasSize(5);
            assertThat(lines.get(1)).isEqualTo("o");
            assertThat(delivered).as("cut at %d", cut).containsExactly(t1, t2);
            splitter.reset();
        }
    }

    @Test
    void aSinkThatStopsEndsTheChunkAndAPartialLineIsKeptUntilReset() {
        SockJsClientFrames.Lines splitter = new SockJsClientFrames.Lines();
        List<String> lines = new ArrayList<>();
        ByteBuf b = buf("a\nc[3000,\"x\"]\nh\npart");
        assertThat(splitter.feed(b, UnpooledByteBufAllocator.DEFAULT, (buf, from, to) -> {
            lines.add(buf.toString(from, to - from, StandardCharsets.UTF_8));
            return !lines.get(lines.size() - 1).startsWith("c");
        })).isFalse();
        assertThat(lines).containsExactly("a", "c[3000,\"x\"]");
        b.release();

        lines.clear();
        ByteBuf first = buf("par");
        ByteBuf second = buf("t\n");
        SockJsClientFrames.Lines.LineSink sink = (buf, from, to) -> lines.add(
                buf.toString(from, to - from, StandardCharsets.UTF_8));
        splitter.feed(first, UnpooledByteBufAllocator.DEFAULT, sink);
        assertThat(lines).isEmpty();
        splitter.feed(second, UnpooledByteBufAllocator.DEFAULT, sink);
        assertThat(lines).containsExactly("part");
        first.release();
        second.release();
        splitter.reset();
    }
}
