package dev.rotor.engine;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One engine instance: the set of role implementations a node runs on ({@code memory} or {@code redis}).
 *
 * <p>Lifecycle: {@link #start} once with the listener, then the roles may be used; {@link #close} releases
 * everything and is idempotent. Thread-safe.
 */
public interface Engine extends AutoCloseable {

    /** Display name, as v1 shows it in the admin {@code info} and the startup log. */
    String name();

    /** Starts the engine; the stage completes when the roles are ready to serve. */
    CompletionStage<Void> start(EngineListener listener);

    Broker broker();

    PresenceStore presenceStore();

    HistoryStore historyStore();

    ControlBus controlBus();

    /**
     * Runs {@code work} on the calling thread and lets the engine hold back the backend commands that the role
     * methods called by {@code work} on this thread issue, sending them together when {@code work} returns (one
     * network write per backend connection instead of one per command). Commands keep their call order. The stages
     * of held-back commands complete only after {@code work} returned, so {@code work} must not wait for them.
     * Nested calls join the outermost one. An engine without a networked backend just runs {@code work}.
     */
    default <T> T batch(Supplier<T> work) {
        return work.get();
    }

    /**
     * Whether the engine can currently serve: connected to everything it needs and receiving messages from other
     * nodes. Cheap and non-blocking (the {@code /health} endpoint calls it). An engine without external
     * dependencies is always healthy.
     */
    default boolean healthy() {
        return true;
    }

    /**
     * The state of each external backend (Redis shard), in shard order, for {@code /health?verbose} and
     * {@code /metrics}. Cheap and non-blocking; the list has the same length for the engine's whole life. An engine
     * without external dependencies has none.
     */
    default List<EngineShard> shardStates() {
        return List.of();
    }

    /**
     * What the engine keeps of channel history in this process against its bound, for {@code /metrics}. Cheap and
     * non-blocking. Empty for an engine that keeps history elsewhere (Redis).
     */
    default Optional<HistoryUsage> historyUsage() {
        return Optional.empty();
    }

    /**
     * What the engine dropped or read back from its backend since it started, for {@code /metrics}. Cheap and
     * non-blocking. Empty for an engine without a backend (memory).
     */
    default Optional<EngineLosses> losses() {
        return Optional.empty();
    }

    /**
     * Starts consuming an engine-side API command queue (the Redis engine's {@code redis_api}), handing each entry's
     * raw bytes to {@code handler}, one at a time per queue, in queue order; the handler's stage fails for an entry
     * that could not be executed. An entry longer than {@code maxEntryBytes} is dropped (logged) without reaching
     * the handler, and the engine holds entries of at most about that many bytes together per queue. Called once,
     * after {@link #start} completed. Engines without such a queue ignore the call.
     */
    default void consumeApiQueue(Function<byte[], CompletionStage<?>> handler, int maxEntryBytes) {
    }

    @Override
    void close();
}
