package dev.rotor.testing;

import dev.rotor.engine.IllFormedNameException;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.Engine;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the engine contracts share: a fresh engine per test, started with a {@link RecordingEngineListener}, closed
 * after the test, plus message and client-info fixtures. Not thread-safe (one instance per test, as JUnit makes).
 *
 * <p>An engine's test class supplies {@link #newEngine()} and {@link #advanceTime(Duration)}. Contracts never read
 * the wall clock: time-dependent rules are checked only across {@code advanceTime} calls, which an engine with an
 * injectable clock implements by moving its fake clock and a networked engine (Redis) by waiting that long. Times
 * used are whole seconds with at least half a second of margin, so a waiting implementation is not flaky.
 */
public abstract class EngineContractSupport {
    /** How long to wait for any engine stage. */
    protected static final Duration STAGE_TIMEOUT = Duration.ofSeconds(10);

    /** The engine under test; started before each test. */
    protected Engine engine;
    /** Receives everything {@link #engine} delivers. */
    protected RecordingEngineListener listener;

    /** A new, not yet started engine with no state from earlier tests (e.g. a fresh Redis key prefix). */
    protected abstract Engine newEngine();

    /** Lets {@code duration} pass for the engine: moves its fake clock, or waits in real time. */
    protected abstract void advanceTime(Duration duration);

    @BeforeEach
    final void startEngine() {
        listener = new RecordingEngineListener(STAGE_TIMEOUT);
        engine = newEngine();
        join(engine.start(listener));
    }

    @AfterEach
    final void closeEngine() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Waits for a stage and returns its value; fails the test on timeout or failure. */
    protected static <T> T join(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(STAGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        } catch (ExecutionException e) {
            throw new AssertionError("engine stage failed: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("engine stage did not complete within " + STAGE_TIMEOUT, e);
        }
    }

    /**
     * A channel name holding a lone high surrogate: not well-formed UTF-16. A lenient UTF-8 encoder writes it as
     * {@link #ALIAS_OF_LONE_SURROGATE}.
     */
    protected static final String LONE_SURROGATE = "pub:\ud800";
    /** What a lenient encoder (Java's {@code String.getBytes}) makes of {@link #LONE_SURROGATE}. */
    protected static final String ALIAS_OF_LONE_SURROGATE = "pub:?";

    /** Asserts that the stage fails, within the stage timeout, with the engine's ill-formed name refusal. */
    protected static void assertRefused(CompletionStage<?> stage) {
        assertThat(stage.toCompletableFuture()).failsWithin(STAGE_TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .withCauseInstanceOf(IllFormedNameException.class);
    }

    /** A publication as the API makes it: no client, no info. */
    protected static Message message(String channel, String uid) {
        return new Message(uid, channel, RawJson.of("{\"uid\":\"" + uid + "\"}"), null, null);
    }

    /** A publication as a client makes it, with client id and info. */
    protected static Message clientMessage(String channel, String uid, ClientInfo info) {
        return new Message(uid, channel, RawJson.of("{\"text\":\"hi\"}"), info.client(), info);
    }

    protected static ClientInfo clientInfo(String user, String client) {
        return new ClientInfo(user, client, RawJson.of("{\"name\":\"" + user + "\"}"), null);
    }

    protected static HistoryOptions history(int size, int lifetimeSeconds) {
        return new HistoryOptions(size, lifetimeSeconds, false);
    }

    protected static HistoryOptions historyDropInactive(int size, int lifetimeSeconds) {
        return new HistoryOptions(size, lifetimeSeconds, true);
    }

    /** Publishes and waits. */
    protected void publish(Message message, HistoryOptions options) {
        join(engine.broker().publish(message, options));
    }

    /**
     * Publishes from {@code publishers} threads at once: publisher {@code p} publishes {@code message.apply(p, i)} for
     * i = 0 to {@code perPublisher - 1}, each awaited before its next. Returns once every publication completed.
     */
    protected void publishConcurrently(int publishers, int perPublisher, BiFunction<Integer, Integer, Message> message,
            HistoryOptions options) {
        ExecutorService pool = Executors.newFixedThreadPool(publishers);
        try {
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                done.add(CompletableFuture.runAsync(() -> {
                    for (int i = 0; i < perPublisher; i++) {
                        join(engine.broker().publish(message.apply(publisher, i), options));
                    }
                }, pool));
            }
            join(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
        } finally {
            pool.shutdownNow();
        }
    }

    protected void subscribe(String channel) {
        join(engine.broker().subscribe(channel));
    }

    protected void unsubscribe(String channel, HistoryOptions options) {
        join(engine.broker().unsubscribe(channel, options));
    }
}
