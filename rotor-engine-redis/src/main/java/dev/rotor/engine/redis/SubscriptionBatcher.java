package dev.rotor.engine.redis;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * Turns many concurrent subscribe and unsubscribe requests of one PUB/SUB connection into few Redis commands: while
 * a command is in flight, requests queue up; then all consecutive requests of the same kind go out as one SUBSCRIBE
 * (or UNSUBSCRIBE) of at most {@value #MAX_CHANNELS} channel names, as v1 batches them (redis-engine.md §5). Requests
 * are sent in arrival order, so a subscribe and a later unsubscribe of one channel never swap. Thread-safe.
 */
final class SubscriptionBatcher {
    static final int MAX_CHANNELS = 2048;

    /** One queued request. */
    private record Request(boolean subscribe, byte[][] channels, CompletableFuture<Void> done) {
    }

    /** Sends one command: (subscribe?, channel names) to its completion. */
    private final BiFunction<Boolean, byte[][], CompletionStage<Void>> sender;
    private final Object lock = new Object();
    private final ArrayDeque<Request> queue = new ArrayDeque<>(); // guarded by lock
    private boolean inFlight; // guarded by lock; true while a command is outstanding

    SubscriptionBatcher(BiFunction<Boolean, byte[][], CompletionStage<Void>> sender) {
        this.sender = sender;
    }

    CompletionStage<Void> submit(boolean subscribe, byte[][] channels) {
        Request request = new Request(subscribe, channels, new CompletableFuture<>());
        boolean send;
        synchronized (lock) {
            queue.add(request);
            send = !inFlight;
            inFlight = true;
        }
        if (send) {
            sendNext();
        }
        return request.done();
    }

    /** Sends the next batch, or marks the batcher idle when nothing is queued. */
    private void sendNext() {
        List<Request> batch = new ArrayList<>();
        int names = 0;
        synchronized (lock) {
            Request first = queue.peek();
            if (first == null) {
                inFlight = false;
                return;
            }
            while (!queue.isEmpty() && queue.peek().subscribe() == first.subscribe()
                    && (batch.isEmpty() || names + queue.peek().channels().length <= MAX_CHANNELS)) {
                Request r = queue.poll();
                batch.add(r);
                names += r.channels().length;
            }
        }
        byte[][] all = new byte[names][];
        int i = 0;
        for (Request r : batch) {
            for (byte[] c : r.channels()) {
                all[i++] = c;
            }
        }
        CompletionStage<Void> sent;
        try {
            sent = sender.apply(batch.get(0).subscribe(), all);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        sent.whenComplete((v, e) -> {
            for (Request r : batch) {
                if (e == null) {
                    r.done().complete(null);
                } else {
                    r.done().completeExceptionally(ShardClient.unwrap(e));
                }
            }
            sendNext();
        });
    }
}
