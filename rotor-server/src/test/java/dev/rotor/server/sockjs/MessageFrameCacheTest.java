package dev.rotor.server.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** One encoding per thread for the same shared frames, a fresh one for anything else. */
class MessageFrameCacheTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theSameSharedFramesReuseTheEncodingAndOtherFramesDoNot() throws Exception {
        MessageFrameCache cache = new MessageFrameCache();
        byte[] push = utf8("{\"method\":\"message\",\"body\":{\"data\":\"<x>\"}}");
        byte[] first = cache.messages(List.of(push));
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(SockJsFrames.messages(List.of(push)));
        assertThat(cache.messages(List.of(push))).as("same frame, same thread").isSameAs(first);

        byte[] equalCopy = push.clone();
        byte[] other = cache.messages(List.of(equalCopy));
        assertThat(other).as("frames are compared by identity").isNotSameAs(first).isEqualTo(first);

        byte[] reply = utf8("{\"uid\":\"1\",\"method\":\"ping\"}");
        byte[] two = cache.messages(List.of(equalCopy, reply));
        assertThat(new String(two, StandardCharsets.UTF_8))
                .isEqualTo(SockJsFrames.messages(List.of(equalCopy, reply)));
        assertThat(cache.messages(List.of(equalCopy))).as("a prefix is not the same list").isNotSameAs(two)
                .isNotSameAs(other);

        byte[] elsewhere = CompletableFuture.supplyAsync(() -> cache.messages(List.of(push))).get();
        assertThat(elsewhere).as("another thread has its own slot").isNotSameAs(first).isEqualTo(first);
    }

    @Test
    void aBacklogLargerThanTheBoundIsEncodedButNotKept() {
        MessageFrameCache cache = new MessageFrameCache();
        byte[] small = utf8("{\"method\":\"message\",\"body\":{\"data\":1}}");
        byte[] kept = cache.messages(List.of(small));

        // quotes are escaped: the encoding is about twice the frame, past the bound
        byte[] large = utf8("\"".repeat(MessageFrameCache.MAX_KEPT / 2 + 1));
        byte[] backlog = cache.messages(List.of(large));
        assertThat(backlog.length).isGreaterThan(MessageFrameCache.MAX_KEPT);
        assertThat(new String(backlog, StandardCharsets.UTF_8)).isEqualTo(SockJsFrames.messages(List.of(large)));
        assertThat(cache.messages(List.of(large))).as("not kept: encoded anew").isNotSameAs(backlog)
                .isEqualTo(backlog);
        assertThat(cache.messages(List.of(small))).as("the slot still holds the last small encoding")
                .isSameAs(kept);
    }
}
