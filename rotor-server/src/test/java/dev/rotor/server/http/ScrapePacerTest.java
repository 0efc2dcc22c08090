package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ScrapePacer}: every answer is rendered after its request arrived, requests waiting together share one
 * render (one array), and a render starts no sooner than {@link ScrapePacer#GAP_MILLIS} after the previous one ended.
 */
class ScrapePacerTest {
    private static final long WAIT_SECONDS = 10;

    private final AtomicInteger renders = new AtomicInteger();
    /** Held by the first render until released; later renders pass at once. */
    private final CountDownLatch firstRenderStarted = new CountDownLatch(1);
    private final CountDownLatch releaseFirstRender = new CountDownLatch(1);
    /** Start and end ({@link System#nanoTime()}) of each render, in order; only written on the pacer's thread. */
    private final List<long[]> spans = new ArrayList<>();
    private ScrapePacer pacer;
    @RegisterExtension
    final LogCapture log = new LogCapture(ScrapePacer.class);

    @AfterEach
    void close() {
        releaseFirstRender.countDown();
        pacer.close();
    }

    /** A render whose text is the number of renders so far, counting itself. */
    private Supplier<byte[]> numbered() {
        return () -> {
            long start = System.nanoTime();
            int n = renders.incrementAndGet();
            if (n == 1) {
                firstRenderStarted.countDown();
                await(releaseFirstRender);
            }
            spans.add(new long[] {start, System.nanoTime()});
            return Integer.toString(n).getBytes(StandardCharsets.UTF_8);
        };
    }

    private CompletableFuture<byte[]> request() {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        pacer.request((body, failure) -> {
            if (failure == null) {
                answer.complete(body);
            } else {
                answer.completeExceptionally(failure);
            }
        });
        return answer;
    }

    private static String text(CompletableFuture<byte[]> answer) throws Exception {
        return new String(answer.get(WAIT_SECONDS, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    }

    private static void await(CountDownLatch latch) {
        try {
            assertThat(latch.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void aRequestArrivingDuringARenderIsAnsweredByTheNextOne() throws Exception {
        pacer = new ScrapePacer(numbered());
        CompletableFuture<byte[]> first = request();
        await(firstRenderStarted);
        CompletableFuture<byte[]> during = request();
        releaseFirstRender.countDown();
        assertThat(text(first)).isEqualTo("1");
        assertThat(text(during)).as("rendered after it arrived, not the render under way").isEqualTo("2");
    }

    @Test
    void requestsWaitingTogetherShareOneRenderAndOneArray() throws Exception {
        pacer = new ScrapePacer(numbered());
        CompletableFuture<byte[]> first = request();
        await(firstRenderStarted);
        List<CompletableFuture<byte[]>> waiting = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            waiting.add(request());
        }
        releaseFirstRender.countDown();
        assertThat(text(first)).isEqualTo("1");
        byte[] shared = waiting.get(0).get(WAIT_SECONDS, TimeUnit.SECONDS);
        assertThat(new String(shared, StandardCharsets.UTF_8)).isEqualTo("2");
        for (CompletableFuture<byte[]> answer : waiting) {
            assertThat(answer.get(WAIT_SECONDS, TimeUnit.SECONDS)).isSameAs(shared);
        }
        assertThat(renders).hasValue(2);
        assertThat(pacer.requests()).isEqualTo(51);
        assertThat(pacer.renders()).isEqualTo(2);
    }

    @Test
    void eachRenderStartsAtLeastTheGapAfterThePreviousEnded() throws Exception {
        releaseFirstRender.countDown();
        pacer = new ScrapePacer(numbered());
        for (int i = 1; i <= 5; i++) { // a peer that asks again as soon as it is answered
            assertThat(text(request())).isEqualTo(Integer.toString(i));
        }
        for (int i = 1; i < spans.size(); i++) {
            assertThat(spans.get(i)[0] - spans.get(i - 1)[1]).as("gap before render %d", i + 1)
                    .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(ScrapePacer.GAP_MILLIS));
        }
    }

    @Test
    void aFailedRenderIsAnsweredAsAFailureAndTheNextRequestRendersAgain() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        pacer = new ScrapePacer(() -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("meter failed");
            }
            return "ok".getBytes(StandardCharsets.UTF_8);
        });
        CompletableFuture<byte[]> failed = request();
        assertThat(failed).failsWithin(WAIT_SECONDS, TimeUnit.SECONDS).withThrowableThat()
                .havingRootCause().isInstanceOf(IllegalStateException.class);
        assertThat(log.messages()).containsExactly("Rendering /metrics failed");
        assertThat(text(request())).isEqualTo("ok");
    }

    @Test
    void afterCloseEveryRequestIsAnsweredAtOnceWithAFailure() {
        pacer = new ScrapePacer(numbered());
        pacer.close();
        for (int i = 0; i < 3; i++) {
            CompletableFuture<byte[]> answer = request();
            assertThat(answer).as("request %d after close", i).isCompletedExceptionally();
            assertThat(answer).failsWithin(0, TimeUnit.SECONDS).withThrowableThat()
                    .havingRootCause().isInstanceOf(RejectedExecutionException.class);
        }
        assertThat(renders).hasValue(0);
    }

    @Test
    void anAnswerThatThrowsLeavesTheOthersOfItsRenderAnswered() throws Exception {
        pacer = new ScrapePacer(numbered());
        CompletableFuture<byte[]> first = request();
        await(firstRenderStarted);
        pacer.request((body, failure) -> {
            throw new IllegalStateException("an answer failed");
        });
        CompletableFuture<byte[]> after = request();
        releaseFirstRender.countDown();

        assertThat(text(first)).isEqualTo("1");
        assertThat(text(after)).as("shares the second render with the answer that threw").isEqualTo("2");
        assertThat(log.messages()).containsExactly("Answering a /metrics request failed");
    }
}
