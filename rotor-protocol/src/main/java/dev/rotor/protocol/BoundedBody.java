package dev.rotor.protocol;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The body of an HTTP response the SDKs read from a peer (the API's answers, an auth backend's signs) as UTF-8
 * text, bounded in size and in time: {@link HttpResponse.BodyHandlers#ofString()} buffers a body of any length, and
 * the request's timeout ends when the headers arrive, so a server that sends an endless or dripping body would grow
 * the caller's heap, or hold its request, without end. A body past {@code maxBytes} fails with an
 * {@link IOException}, one not complete within {@code deadline} of its headers with an {@link HttpTimeoutException};
 * either way the exchange is cancelled (its connection closed).
 */
public final class BoundedBody implements HttpResponse.BodySubscriber<String> {
    private final int maxBytes;
    private final Duration deadline;
    private final CompletableFuture<String> result = new CompletableFuture<>();
    /**
     * Fails the body when it times out; completed with the body, which cancels its timer entry (a timer task that
     * stayed until its deadline would pile up under a high request rate).
     */
    private final CompletableFuture<Void> deadlineTimer = new CompletableFuture<>();
    /** The body so far; grows by doubling up to {@code maxBytes}. Only touched by the subscriber's signals. */
    private byte[] body = new byte[1024];
    private int length;
    private volatile Flow.Subscription subscription;

    private BoundedBody(int maxBytes, Duration deadline) {
        this.maxBytes = maxBytes;
        this.deadline = deadline;
    }

    /** A handler whose bodies fail past {@code maxBytes} (positive) or when not complete within {@code deadline}. */
    public static HttpResponse.BodyHandler<String> ofString(int maxBytes, Duration deadline) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be positive, got " + maxBytes);
        }
        return info -> new BoundedBody(maxBytes, deadline);
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        result.whenComplete((body, e) -> deadlineTimer.complete(null));
        deadlineTimer.orTimeout(deadline.toNanos(), TimeUnit.NANOSECONDS).whenComplete((v, timedOut) -> {
            if (timedOut != null) {
                fail(new HttpTimeoutException("response body not complete within " + deadline.toMillis() + " ms"));
            }
        });
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            int n = b.remaining();
            if (n > maxBytes - length) {
                fail(new IOException("response body larger than " + maxBytes + " bytes"));
                body = null;
                return;
            }
            if (length + n > body.length) {
                body = Arrays.copyOf(body, (int) Math.min(maxBytes, Math.max(length + n, 2L * body.length)));
            }
            b.get(body, length, n);
            length += n;
        }
    }

    @Override
    public void onError(Throwable t) {
        result.completeExceptionally(t);
        body = null;
    }

    @Override
    public void onComplete() {
        if (!result.isDone()) {
            result.complete(new String(body, 0, length, StandardCharsets.UTF_8));
        }
        body = null;
    }

    private void fail(Throwable t) {
        if (result.completeExceptionally(t)) {
            subscription.cancel();
        }
    }
}
