package dev.rotor.sdk.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.sdk.client.RotorClientConfig;
import dev.rotor.sdk.client.RotorClientException;
import dev.rotor.sdk.client.SubscriptionListener;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Channel commands of a subscription that is not subscribed: the client is never connected (no network), so its
 * subscriptions stay SUBSCRIBING and their {@code ready} never completes, as with a client that reconnects for
 * ever.
 */
class SubscriptionImplTest {
    private RealRotorClient client;

    private SubscriptionImpl subscription(Duration requestTimeout) {
        // port 9 (discard) is never dialled: connect() is not called
        client = new RealRotorClient(RotorClientConfig.builder("ws://127.0.0.1:9/connection/websocket")
                .insecure(true).requestTimeout(requestTimeout).build());
        return (SubscriptionImpl) client.subscribe("news", new SubscriptionListener() { });
    }

    @AfterEach
    void close() {
        client.close();
    }

    @Test
    void aCallThatTimedOutWaitingForTheSubscriptionNoLongerHoldsItsPayload() {
        SubscriptionImpl news = subscription(Duration.ofMillis(100));
        List<WeakReference<byte[]>> payloads = new ArrayList<>();
        CompletableFuture<Object> call = publish(news, payloads);
        WeakReference<byte[]> held = payloads.get(0);

        assertThat(call).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(RotorClientException.Timeout.class);
        Awaitility.await("the payload is collected").atMost(Duration.ofSeconds(10)).until(() -> {
            System.gc();
            return held.get() == null;
        });
    }

    /** A publish of a fresh payload that only the client references; its weak reference goes to {@code payloads}. */
    private static CompletableFuture<Object> publish(SubscriptionImpl s, List<WeakReference<byte[]>> payloads) {
        byte[] payload = "\"x\"".getBytes(StandardCharsets.UTF_8);
        payloads.add(new WeakReference<>(payload));
        return s.whenSubscribed("publish", w -> w.raw(payload), b -> null);
    }

    @Test
    void atMostMaxQueuedCallbacksCallsWaitForOneSubscription() {
        SubscriptionImpl news = subscription(Duration.ofSeconds(60));
        List<CompletableFuture<Void>> waiting = new ArrayList<>();
        for (int i = 0; i < RealRotorClient.MAX_QUEUED_CALLBACKS; i++) {
            waiting.add(news.publish("1"));
        }
        assertThat(waiting).noneMatch(CompletableFuture::isDone);

        assertThat(news.publish("1")).as("failed at once").isCompletedExceptionally()
                .failsWithin(Duration.ZERO).withThrowableOfType(ExecutionException.class)
                .havingCause().isExactlyInstanceOf(RotorClientException.class)
                .withMessage("publish in news refused: " + RealRotorClient.MAX_QUEUED_CALLBACKS
                        + " calls already wait for the subscription to news");
    }
}
