package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisExtension;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A PUB/SUB reconnect on a single Redis (docs/scaling.md "Failure behaviour"): the engine reports the channels whose
 * subscription was interrupted before it hands on any message of the restored subscription. Otherwise a node could
 * deliver a message newer than the gap first, and a client whose {@code last} passed the gap would recover without
 * it and be told {@code recovered: true}. Lettuce re-subscribes a reconnected PUB/SUB connection by itself, before
 * the engine's own SUBSCRIBE tells it the subscription is back, so messages can arrive in between.
 */
class RedisResubscribeOrderIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final int RECONNECTS = 15;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** What the engine handed on, in order: a publication's number, or -1 for a lost-subscriptions report. */
    private static List<Integer> arrivals(RecordingEngineListener listener) {
        return listener.events().stream()
                .filter(e -> e instanceof RecordingEngineListener.Published || e instanceof RecordingEngineListener.Lost)
                .map(e -> e instanceof RecordingEngineListener.Published p ? Integer.parseInt(p.message().uid()) : -1)
                .toList();
    }

    private static long reports(RecordingEngineListener listener) {
        return arrivals(listener).stream().filter(e -> e < 0).count();
    }

    @Test
    void messagesOfARestoredSubscriptionArriveOnlyAfterTheReport() throws Exception {
        RedisEngine subscriber = RedisEngines.engine(redis.server(), redis.prefix());
        RedisEngine publisher = RedisEngines.engine(redis.server(), redis.prefix());
        RecordingEngineListener listener = new RecordingEngineListener();
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> publishing = null;
        try {
            subscriber.start(listener).toCompletableFuture().get(10, TimeUnit.SECONDS);
            publisher.start(new RecordingEngineListener()).toCompletableFuture().get(10, TimeUnit.SECONDS);
            subscriber.broker().subscribe("feed").toCompletableFuture().get(10, TimeUnit.SECONDS);
            // one publisher, in order, as fast as Redis takes them; bounded in count and time
            publishing = CompletableFuture.runAsync(() -> {
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (int n = 0; n < 2_000_000 && !stop.get() && System.nanoTime() < end; n++) {
                    try {
                        publisher.broker().publish(new Message(Integer.toString(n), "feed", RawJson.of("{}"), null,
                                null), HistoryOptions.NONE).toCompletableFuture().get(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            Awaitility.await().atMost(WAIT).until(() -> arrivals(listener).size() > 100);
            for (int i = 1; i <= RECONNECTS; i++) {
                // drops the PUB/SUB connections (the publisher's command connection stays); Lettuce reconnects
                redis.server().command("CLIENT", "KILL", "TYPE", "pubsub");
                long reports = i;
                Awaitility.await("report " + i).atMost(WAIT).until(() -> reports(listener) >= reports);
                int seen = arrivals(listener).size();
                Awaitility.await("messages after report " + i).atMost(WAIT)
                        .until(() -> arrivals(listener).size() > seen + 50);
            }
        } finally {
            stop.set(true);
            if (publishing != null) {
                publishing.get(30, TimeUnit.SECONDS);
            }
            subscriber.close();
            publisher.close();
        }
        // Before each report, the publications arrive without a gap: whatever a reconnect lost lies behind a report.
        List<Integer> events = arrivals(listener);
        int previous = -2;
        for (int i = 0; i < events.size(); i++) {
            int e = events.get(i);
            if (e >= 0 && previous >= 0) {
                assertThat(e).as("publication after %d at arrival %d, with no report in between", previous, i)
                        .isEqualTo(previous + 1);
            }
            previous = e;
        }
    }
}
