package dev.rotor.engine.memory;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.HistoryUsage;
import dev.rotor.engine.PresenceStore;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The default single-node engine ({@code engine: memory}, memory-engine.md): everything lives in this process and
 * there is no inter-node communication. Thread-safe.
 *
 * <p>Publications, joins, leaves, control and admin messages reach the listener synchronously: uncontended, on the
 * calling thread before the call returns; always before the returned stage completes. Expired history is removed
 * lazily on read and by a sweep once per second, run on the scheduler given to the constructor or on one daemon
 * thread the engine owns from {@link #start} until {@link #close}.
 */
public final class MemoryEngine implements Engine {
    /** The display name v1 shows in the admin {@code info} and the startup log (with an en dash). */
    public static final String NAME = "In memory \u2013 single node only";

    private static final long SWEEP_PERIOD_MILLIS = 1000;

    private final ScheduledExecutorService externalScheduler; // null when the engine owns its sweep thread
    private final ListenerHolder listener = new ListenerHolder();
    private final MemoryHistoryStore history;
    private final MemoryPresenceStore presence = new MemoryPresenceStore();
    private final MemoryBroker broker;
    private final MemoryControlBus controlBus;

    private final Object lifecycleLock = new Object();
    private boolean started; // guarded by lifecycleLock; set once by start
    private boolean closed; // guarded by lifecycleLock; set once by close
    private ScheduledExecutorService ownedScheduler; // guarded by lifecycleLock; non-null between start and close
                                                     // when no scheduler was given
    private ScheduledFuture<?> sweep; // guarded by lifecycleLock; non-null between start and close

    /**
     * An engine on the monotonic system clock that runs its history sweep on a daemon thread of its own, with the
     * default history budget ({@link #defaultHistoryBudget()}).
     */
    public MemoryEngine() {
        this(defaultHistoryBudget());
    }

    /**
     * As {@link #MemoryEngine()}, with the given history budget.
     *
     * @param historyBudget the bytes all channel histories may count together ({@code memory_history_budget},
     *                      docs/security.md), positive
     */
    public MemoryEngine(long historyBudget) {
        this(MemoryEngine::monotonicMillis, Optional.empty(), historyBudget);
    }

    /**
     * An engine on the given clock that runs its history sweep on a daemon thread of its own.
     *
     * @param millisClock milliseconds that never go backwards (only differences matter)
     */
    public MemoryEngine(LongSupplier millisClock) {
        this(millisClock, Optional.empty(), defaultHistoryBudget());
    }

    /**
     * An engine on the given clock that schedules its history sweep on {@code scheduler}, which stays owned by the
     * caller: {@link #close} cancels the task but does not shut the scheduler down.
     */
    public MemoryEngine(LongSupplier millisClock, ScheduledExecutorService scheduler) {
        this(millisClock, Optional.of(scheduler), defaultHistoryBudget());
    }

    /** An engine on the given clock and history budget that runs its history sweep on a thread of its own. */
    MemoryEngine(LongSupplier millisClock, long historyBudget) {
        this(millisClock, Optional.empty(), historyBudget);
    }

    private MemoryEngine(LongSupplier millisClock, Optional<ScheduledExecutorService> scheduler,
            long historyBudget) {
        Objects.requireNonNull(millisClock, "millisClock");
        this.externalScheduler = scheduler.orElse(null);
        this.history = new MemoryHistoryStore(millisClock, historyBudget);
        this.broker = new MemoryBroker(listener, history);
        this.controlBus = new MemoryControlBus(listener);
    }

    /**
     * The history budget when {@code memory_history_budget} is 0: a quarter of the maximum heap, at least 1 MiB.
     * Histories are heap objects; the rest of the heap stays for connections, queues and request bodies.
     */
    public static long defaultHistoryBudget() {
        return Math.max(1L << 20, Runtime.getRuntime().maxMemory() / 4);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Optional<HistoryUsage> historyUsage() {
        return Optional.of(new HistoryUsage(history.bytes(), history.budget(), history.evictedCount()));
    }

    @Override
    public CompletionStage<Void> start(EngineListener engineListener) {
        if (engineListener == null) {
            return CompletableFuture.failedStage(new NullPointerException("listener"));
        }
        synchronized (lifecycleLock) {
            if (closed) {
                return CompletableFuture.failedStage(new IllegalStateException("memory engine is closed"));
            }
            if (started) {
                return CompletableFuture.failedStage(new IllegalStateException("memory engine already started"));
            }
            ScheduledExecutorService scheduler = externalScheduler;
            if (scheduler == null) {
                ownedScheduler = Executors.newSingleThreadScheduledExecutor(task -> {
                    Thread thread = new Thread(task, "rotor-memory-history-sweep");
                    thread.setDaemon(true);
                    return thread;
                });
                scheduler = ownedScheduler;
            }
            try {
                sweep = scheduler.scheduleWithFixedDelay(history::removeExpired,
                        SWEEP_PERIOD_MILLIS, SWEEP_PERIOD_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                return CompletableFuture.failedStage(e);
            }
            started = true;
            listener.set(engineListener);
        }
        return CompletableFuture.completedStage(null);
    }

    @Override
    public Broker broker() {
        return broker;
    }

    @Override
    public PresenceStore presenceStore() {
        return presence;
    }

    @Override
    public HistoryStore historyStore() {
        return history;
    }

    @Override
    public ControlBus controlBus() {
        return controlBus;
    }

    /** Stops the sweep (and its thread when owned), detaches the listener and drops all state. Idempotent. */
    @Override
    public void close() {
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            listener.set(null);
            if (sweep != null) {
                sweep.cancel(false);
                sweep = null;
            }
            if (ownedScheduler != null) {
                ownedScheduler.shutdownNow();
                ownedScheduler = null;
            }
        }
        history.clear();
        presence.clear();
    }

    /** Runs the history expiry sweep now; returns the number of channel histories removed. */
    int removeExpiredHistory() {
        return history.removeExpired();
    }

    MemoryHistoryStore history() {
        return history;
    }

    MemoryPresenceStore presence() {
        return presence;
    }

    MemoryBroker memoryBroker() {
        return broker;
    }

    /** The failed stage of a broker or control bus call made before start or after close. */
    static <T> CompletionStage<T> notRunning() {
        return CompletableFuture.failedStage(new IllegalStateException("memory engine is not running"));
    }

    private static long monotonicMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }
}
