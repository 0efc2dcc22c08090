package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Batching of SUBSCRIBE/UNSUBSCRIBE requests while a command is in flight, in arrival order. */
class SubscriptionBatcherTest {
    private record Sent(boolean subscribe, List<String> channels, CompletableFuture<Void> reply) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final SubscriptionBatcher batcher = new SubscriptionBatcher(this::send);

    private CompletionStage<Void> send(boolean subscribe, byte[][] channels) {
        List<String> names = new ArrayList<>();
        for (byte[] c : channels) {
            names.add(new String(c, StandardCharsets.UTF_8));
        }
        Sent s = new Sent(subscribe, names, new CompletableFuture<>());
        sent.add(s);
        return s.reply();
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            out[i] = names[i].getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    @Test
    void requestsQueuedDuringACommandGoOutAsOneCommandPerKindInOrder() {
        CompletionStage<Void> first = batcher.submit(true, names("a"));
        CompletionStage<Void> b = batcher.submit(true, names("b1", "b2"));
        CompletionStage<Void> c = batcher.submit(true, names("c"));
        CompletionStage<Void> unsubA = batcher.submit(false, names("a"));
        assertThat(sent).hasSize(1);

        sent.get(0).reply().complete(null);
        assertThat(first.toCompletableFuture()).isCompleted();
        assertThat(sent).hasSize(2);
        assertThat(sent.get(1).channels()).containsExactly("b1", "b2", "c");
        assertThat(b.toCompletableFuture()).isNotCompleted();

        sent.get(1).reply().complete(null);
        assertThat(c.toCompletableFuture()).isCompleted();
        assertThat(sent.get(2).subscribe()).isFalse();
        assertThat(sent.get(2).channels()).containsExactly("a");
        sent.get(2).reply().complete(null);
        assertThat(unsubA.toCompletableFuture()).isCompleted();
        assertThat(sent).hasSize(3);
    }

    @Test
    void aFailedCommandFailsEveryRequestOfItsBatchAndTheNextBatchStillGoes() {
        batcher.submit(true, names("x"));
        CompletionStage<Void> y = batcher.submit(true, names("y"));
        CompletionStage<Void> z = batcher.submit(false, names("z"));
        sent.get(0).reply().complete(null);

        sent.get(1).reply().completeExceptionally(new IllegalStateException("down"));

        assertThat(y.toCompletableFuture()).isCompletedExceptionally();
        assertThat(sent).hasSize(3);
        sent.get(2).reply().complete(null);
        assertThat(z.toCompletableFuture()).isCompleted();
    }

    @Test
    void aBatchHoldsAtMostTheLimitOfChannelNames() {
        batcher.submit(true, names("first"));
        int requests = SubscriptionBatcher.MAX_CHANNELS / 3 + 1; // three names per channel, as the broker sends
        for (int i = 0; i < requests; i++) {
            batcher.submit(true, names("j" + i, "l" + i, "m" + i));
        }
        sent.get(0).reply().complete(null);
        assertThat(sent.get(1).channels()).hasSizeLessThanOrEqualTo(SubscriptionBatcher.MAX_CHANNELS)
                .hasSize(SubscriptionBatcher.MAX_CHANNELS / 3 * 3);

        sent.get(1).reply().complete(null);
        assertThat(sent.get(2).channels()).hasSize(3);
    }
}
