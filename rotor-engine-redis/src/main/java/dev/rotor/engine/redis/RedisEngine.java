package dev.rotor.engine.redis;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.EngineLosses;
import dev.rotor.engine.EngineShard;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import dev.rotor.node.ThrottledLog;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis engine ({@code engine: redis}, redis-engine.md): nodes sharing one Redis, or several shards, exchange
 * publications, joins, leaves and control messages over PUB/SUB, and keep history and presence in Redis with v1's
 * names, protobuf encoding and scripts. Thread-safe.
 *
 * <p>{@link #start} connects every shard, retrying every 300 ms until Redis answers (v1 too does not serve before
 * Redis is reachable). Afterwards commands never queue while a shard is disconnected: they fail at once, and the
 * node answers {@code internal server error}. Each shard reconnects on its own; after its PUB/SUB connection is
 * back and re-subscribed, {@link EngineListener#onSubscriptionsLost} names the channels that may have missed
 * messages. Received messages are handed to the listener on {@code pubsubWorkers} threads, a channel always on the
 * same thread, so per-channel order holds.
 *
 * <p>With {@link RedisEngineConfig#cluster()} (beyond v1) the one backend is a Redis Cluster ({@link ClusterBackend}):
 * hash-tagged names, sharded PUB/SUB, and lost subscriptions reported the same way after a failover.
 */
public final class RedisEngine implements Engine {
    /** The display name v1 shows in the admin {@code info} and the startup log. */
    public static final String NAME = "Redis";

    private static final Logger log = LoggerFactory.getLogger(RedisEngine.class);
    /** Undecodable PUB/SUB messages: anyone with access to Redis can publish them as fast as Redis takes them. */
    private final ThrottledLog undecodable = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    private static final long RETRY_MILLIS = 300;
    private static final Pattern MAXMEMORY = Pattern.compile("(?m)^maxmemory:(\\d+)");
    /** PUB/SUB health probe period and timeout: a silent connection loss shows in health within about 3 s. */
    private static final long PROBE_MILLIS = 1000;
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    /** How long restored channels' lost-subscription reports wait for the control log's recovery. */
    static final long CONTROL_WAIT_MILLIS = 2000;
    /** The last control-log recovery a lane stopped waiting for (see {@link #awaitControl}). */
    private volatile CompletableFuture<Void> gaveUpOn;

    private final RedisEngineConfig config;
    private final RedisNames names;
    private final ClientResources resources;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService[] lanes;
    private final PublishBudget publishBudget;
    /** What each received PUB/SUB message counts in {@link #backlog} besides its payload and channel name. */
    private static final long BACKLOG_OVERHEAD = 128;
    /** Bytes of received PUB/SUB messages waiting for their lane; at most {@code publishBudget} (but for one). */
    private final AtomicLong backlog = new AtomicLong();
    /** Messages from Redis dropped because the backlog was full. */
    private final AtomicLong droppedMessages = new AtomicLong();
    /** Channels (lane keys) whose report of a dropped message waits on their lane. */
    private final Set<String> lostWhileFull = ConcurrentHashMap.newKeySet();
    private final ThrottledLog backlogFull = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    private final RedisBroker broker;
    private final RedisStores stores;
    private final ControlLog controlLog;
    private final RedisControlBus controlBus;
    private final Object lifecycleLock = new Object();
    private volatile List<RedisBackend> shards = List.of(); // set once by start, all shards (or the cluster) connected
    private volatile EngineListener listener; // null until started and after close
    private boolean started; // guarded by lifecycleLock
    private volatile boolean closed;
    private final List<ApiQueueWorker> apiWorkers = new ArrayList<>(); // guarded by lifecycleLock

    public RedisEngine(RedisEngineConfig config) {
        this.config = config;
        this.names = new RedisNames(config.prefix(), config.clustered());
        this.resources = ClientResources.builder()
                .reconnectDelay(Delay.constant(Duration.ofMillis(RETRY_MILLIS)))
                .build();
        this.scheduler = Executors.newSingleThreadScheduledExecutor(daemon("rotor-redis-retry"));
        this.lanes = new ExecutorService[config.pubsubWorkers()];
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = Executors.newSingleThreadExecutor(daemon("rotor-redis-pubsub-" + i));
        }
        this.publishBudget = new PublishBudget(config.publishBudget(), config.commandTimeout().toMillis(), scheduler);
        this.broker = new RedisBroker(this);
        this.stores = new RedisStores(this);
        this.controlLog = new ControlLog(names, scheduler, () -> listener);
        this.controlBus = new RedisControlBus(this);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread t = new Thread(task, name);
            t.setDaemon(true);
            return t;
        };
    }

    @Override
    public String name() {
        return NAME;
    }

    public RedisEngineConfig config() {
        return config;
    }

    @Override
    public CompletionStage<Void> start(EngineListener engineListener) {
        if (engineListener == null) {
            return CompletableFuture.failedStage(new NullPointerException("listener"));
        }
        synchronized (lifecycleLock) {
            if (closed || started) {
                return CompletableFuture.failedStage(new IllegalStateException("Redis engine already started"));
            }
            started = true;
            listener = engineListener;
        }
        List<CompletableFuture<RedisBackend>> connected = new ArrayList<>();
        for (int i = 0; i < config.shards().size(); i++) {
            CompletableFuture<RedisBackend> f = new CompletableFuture<>();
            connectShard(i, 1, f);
            connected.add(f);
        }
        // beyond v1: docs/scaling.md, "Publications in flight"
        log.info("Publications on their way to Redis, and messages from it waiting for delivery, count at most {} "
                + "bytes each", config.publishBudget());
        if (config.shards().size() > 1) {
            log.info("Redis sharding enabled: {} shards", config.shards().size());
        }
        return CompletableFuture.allOf(connected.toArray(CompletableFuture[]::new)).thenRun(() -> {
            List<RedisBackend> all = new ArrayList<>();
            connected.forEach(f -> all.add(f.join()));
            shards = List.copyOf(all);
            try {
                scheduler.scheduleWithFixedDelay(this::probe, PROBE_MILLIS, PROBE_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closedMeanwhile) {
                // close() ran concurrently; nothing to probe
            }
        });
    }

    /** Connects shard {@code i} (the cluster: 0), retrying every 300 ms until it works or the engine is closed. */
    private void connectShard(int i, int attempt, CompletableFuture<RedisBackend> result) {
        if (closed) {
            result.completeExceptionally(new IllegalStateException("Redis engine is closed"));
            return;
        }
        RedisBackend shard = config.clustered() ? new ClusterBackend(config.cluster(), config, resources, scheduler)
                : new ShardClient(i, config.shards().get(i), config, resources);
        String password = config.clustered() ? config.cluster().password() : config.shards().get(i).password();
        byte[][] alwaysOn = {RedisNames.bytes(names.control), RedisNames.bytes(names.admin),
            RedisNames.bytes(names.ping)};
        SubscriptionEvents events = new SubscriptionEvents() {
            @Override
            public void lost(Set<String> alwaysOnLost) {
                if (i == 0 && alwaysOnLost.contains(names.control)) {
                    controlLog.lost();
                }
            }

            @Override
            public void restored(Set<String> channels, Set<String> alwaysOnBack) {
                resubscribed(i, shard, channels, alwaysOnBack);
            }
        };
        shard.connect(alwaysOn, this::received, events).whenComplete((v, e) -> {
            if (e == null) {
                if (i == 0) {
                    controlLog.started(shard);
                }
                log.info("Redis: {}, using password: {}, API enabled: {}, num API shard queues: {}",
                        shard.describe(), password.isEmpty() ? "no" : "yes",
                        config.api() ? "yes" : "no", config.apiNumShards());
                warnWithoutMaxmemory(shard);
                if (closed) {
                    shard.closeAsync();
                    result.completeExceptionally(new IllegalStateException("Redis engine is closed"));
                } else {
                    result.complete(shard);
                }
                return;
            }
            shard.closeAsync(); // a connection that failed (a WAIT connection, say) leaves the others open
            if (attempt == 1 || attempt % 10 == 0) {
                log.error("Redis shard {} ({}) unreachable, retrying every {} ms: {}", i, shard.describe(),
                        RETRY_MILLIS, ShardClient.unwrap(e).toString());
            }
            try {
                scheduler.schedule(() -> connectShard(i, attempt + 1, result), RETRY_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException closedMeanwhile) {
                result.completeExceptionally(new IllegalStateException("Redis engine is closed"));
            }
        });
    }

    /**
     * Beyond v1: warns once per Redis server that has no {@code maxmemory}. History and presence are written under
     * channel names that clients and the API choose, and without {@code maxmemory} Redis grows until its host runs
     * out of memory (docs/scaling.md "What lives in Redis"). A server that does not answer {@code INFO memory} (a
     * managed Redis may refuse it) is not checked.
     */
    private static void warnWithoutMaxmemory(RedisBackend shard) {
        shard.memoryInfo().whenComplete((infos, e) -> {
            if (e != null) {
                log.debug("Redis {}: INFO memory failed, maxmemory not checked: {}", shard.describe(), e.toString());
                return;
            }
            infos.forEach((where, info) -> {
                Matcher m = MAXMEMORY.matcher(info);
                if (m.find() && Long.parseLong(m.group(1)) == 0) {
                    log.warn("Redis {} has no maxmemory: the history and presence of channels that clients and the "
                            + "API name can grow it until its host runs out of memory; set maxmemory, with the "
                            + "policy noeviction (docs/scaling.md, \"What lives in Redis\")", where);
                }
            });
        });
    }

    /**
     * Routes one PUB/SUB message to its lane: FNV-1a of the Rotor channel it belongs to, so the messages, joins
     * and leaves of one channel (three Redis channels) share a lane and keep their order, as the Broker contract
     * requires. v1 hashed the Redis channel name, which could reorder a join and the message after it.
     */
    private void received(String redisChannel, byte[] payload) {
        if (payload.length == 0) {
            return; // the P.ping keepalive and any empty payload are ignored, as in v1
        }
        String key = laneKey(redisChannel);
        ExecutorService lane = lanes[laneOf(key)];
        if (!lostWhileFull.isEmpty() && lostWhileFull.contains(key)) {
            // after a drop, the channel's messages are dropped too until its subscribers were told: delivered
            // before the report, a newer message would move a subscriber's last past the gap, and its recovery
            // would skip what was dropped
            return;
        }
        long cost = BACKLOG_OVERHEAD + payload.length + 2L * redisChannel.length();
        long before = backlog.getAndAdd(cost);
        if (before != 0 && before + cost > config.publishBudget()) {
            backlog.addAndGet(-cost);
            dropped(redisChannel, key, lane);
            return;
        }
        try {
            lane.execute(() -> {
                try {
                    dispatch(redisChannel, payload);
                } finally {
                    backlog.addAndGet(-cost);
                }
            });
        } catch (RejectedExecutionException e) {
            backlog.addAndGet(-cost); // closing: nothing is delivered after close
        }
    }

    /**
     * A message that found the lanes' backlog full is dropped: a node slower than what Redis sends it must not
     * queue without a bound (docs/scaling.md, "Publications in flight"). Not silently: the operator is warned (at
     * most once per 10 s), and the subscribers of a channel that lost a message, join or leave are told, as after
     * a lost subscription, once the backlog ahead of the report on the channel's lane is through
     * ({@link EngineListener#onSubscriptionsLost}: they are disconnected with {@code reconnect: true} and recover
     * what they missed from history). One report waits per channel at a time, and until it ran the channel's later
     * messages are dropped as well (see {@link #received}). A dropped control message is read back from the
     * control log ({@link ControlLog#dropped}).
     */
    private void dropped(String redisChannel, String key, ExecutorService lane) {
        droppedMessages.incrementAndGet();
        backlogFull.warn("Redis PUB/SUB messages arrive faster than this node delivers them; dropped one of {}",
                redisChannel + " (" + backlog.get() + " bytes wait, at most " + config.publishBudget()
                        + "): the channel's subscribers are told to recover");
        EngineListener target = listener;
        List<RedisBackend> all = shards;
        if (redisChannel.equals(names.control) && target != null && !all.isEmpty()) {
            controlLog.dropped(all.get(0)); // the control log has it (docs/scaling.md "Control log")
            return;
        }
        if (target == null || key.equals(redisChannel) || !lostWhileFull.add(key)) {
            return; // not a channel's message, join or leave (admin); or its report already waits
        }
        String channel = names.untagged(key);
        try {
            lane.execute(() -> {
                lostWhileFull.remove(key);
                target.onSubscriptionsLost(Set.of(channel));
            });
        } catch (RejectedExecutionException e) {
            lostWhileFull.remove(key); // closing
        }
    }

    /** The lane of a lane key ({@link #laneKey}). */
    private int laneOf(String key) {
        return (int) Long.remainderUnsigned(JumpHash.fnv1a64(key), lanes.length);
    }

    /** The Rotor channel of a message, join or leave Redis channel; any other Redis channel as it is. */
    private String laneKey(String redisChannel) {
        String prefix = redisChannel.startsWith(names.messagePrefix) ? names.messagePrefix
                : redisChannel.startsWith(names.joinPrefix) ? names.joinPrefix
                : redisChannel.startsWith(names.leavePrefix) ? names.leavePrefix : null;
        return prefix == null ? redisChannel : redisChannel.substring(prefix.length());
    }

    private void dispatch(String redisChannel, byte[] payload) {
        // On a cluster the channel follows the prefix with its hash tag (RedisNames#tagged).
        EngineListener target = listener;
        if (target == null) {
            return;
        }
        try {
            if (redisChannel.startsWith(names.messagePrefix)) {
                target.onMessage(WireCodec.decodeMessage(payload));
            } else if (redisChannel.startsWith(names.joinPrefix)) {
                WireCodec.JoinLeave j = WireCodec.decodeJoinLeave(payload);
                target.onJoin(names.untagged(redisChannel.substring(names.joinPrefix.length())), j.info());
            } else if (redisChannel.startsWith(names.leavePrefix)) {
                WireCodec.JoinLeave l = WireCodec.decodeJoinLeave(payload);
                target.onLeave(names.untagged(redisChannel.substring(names.leavePrefix.length())), l.info());
            } else if (redisChannel.equals(names.control)) {
                WireCodec.LoggedControl c = WireCodec.decodeLoggedControl(payload);
                if (controlLog.live(c.logId())) {
                    target.onControl(c.message());
                }
            } else if (redisChannel.equals(names.admin)) {
                target.onAdmin(WireCodec.decodeControl(payload));
            }
        } catch (RuntimeException e) {
            // The boundary for data arriving from Redis: one line, then the next message.
            undecodable.warn("dropped undecodable message from Redis channel {}", redisChannel + ": " + e);
        }
    }

    /**
     * Reports channels whose subscription was lost and is back, on the lane of each channel: a message that arrives
     * on the restored subscription after this call is dispatched after the report, so the node closes the channel's
     * subscribers before it could deliver them anything newer than a gap (a client whose {@code last} passed a gap
     * would recover without it, and be told {@code recovered: true}). The backend calls this before any message of
     * the restored subscription can arrive (see {@link ClusterSubscriptions#reconcile}).
     */
    private void resubscribed(int shard, RedisBackend backend, Set<String> channels, Set<String> alwaysOn) {
        if (!config.clustered()) { // a cluster reports each channel on its own, and logs them per master
            log.info("Redis PUB/SUB reconnected and re-subscribed to {} channels", channels.size());
        }
        // v1 compat: v1 lost the control messages sent while its PUB/SUB connection was down, silently (Redis PUB/SUB
        // keeps nothing for a subscriber that was away); they travel on the first shard, and the control log has them
        // (docs/scaling.md "Control log")
        CompletableFuture<Void> control = shard == 0 && alwaysOn.contains(names.control)
                ? controlLog.resubscribed(backend) : controlLog.pending();
        EngineListener target = listener;
        if (target == null || channels.isEmpty()) {
            return;
        }
        Map<Integer, Set<String>> byLane = new HashMap<>();
        for (String channel : channels) {
            byLane.computeIfAbsent(laneOf(names.tagged(channel)), l -> new LinkedHashSet<>()).add(channel);
        }
        byLane.forEach((lane, some) -> {
            try {
                lanes[lane].execute(() -> {
                    // the control messages missed first: an API disconnect (a ban) closes its user with reconnect:
                    // false before "subscriptions lost" would tell the client to come back
                    awaitControl(control);
                    target.onSubscriptionsLost(some);
                });
            } catch (RejectedExecutionException e) {
                // closing: nothing is reported after close
            }
        });
    }

    /**
     * Waits, on a lane, for the control log's recovery, at most {@link #CONTROL_WAIT_MILLIS}, and not again for a
     * recovery that a wait already gave up on: on a cluster every restored channel is reported on its own, and
     * without that a lane with many of them would wait that long for each. The lane's messages wait meanwhile (the
     * recovery runs on the scheduler, never on a lane).
     */
    private void awaitControl(CompletableFuture<Void> control) {
        if (control == gaveUpOn) {
            return;
        }
        try {
            control.get(CONTROL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (TimeoutException e) {
            gaveUpOn = control; // go on: the subscribers are told to recover all the same
        } catch (ExecutionException e) {
            // the same
        }
    }

    private void probe() {
        for (RedisBackend s : shards) {
            s.probe(PROBE_TIMEOUT);
        }
    }

    // ---- for the roles --------------------------------------------------------------------------------------

    RedisNames names() {
        return names;
    }

    /** Runs {@code op} on the shard of {@code channel}; a failed stage when not started. */
    <T> CompletionStage<T> onShard(String channel, Function<RedisBackend, CompletionStage<T>> op) {
        List<RedisBackend> all = shards;
        if (all.isEmpty() || closed) {
            return notRunning();
        }
        return guarded(all.get(JumpHash.shardOf(channel, all.size())), op);
    }

    /** Runs {@code op} on shard 0, where control and admin traffic goes (§7). */
    <T> CompletionStage<T> onFirstShard(Function<RedisBackend, CompletionStage<T>> op) {
        List<RedisBackend> all = shards;
        if (all.isEmpty() || closed) {
            return notRunning();
        }
        return guarded(all.get(0), op);
    }

    List<RedisBackend> shards() {
        return shards;
    }

    ControlLog controlLog() {
        return controlLog;
    }

    /** PUB/SUB messages dropped so far because the backlog was full. */
    long droppedMessages() {
        return droppedMessages.get();
    }

    @Override
    public Optional<EngineLosses> losses() {
        long apiDropped = 0;
        synchronized (lifecycleLock) {
            for (ApiQueueWorker w : apiWorkers) {
                apiDropped += w.droppedEntries();
            }
        }
        return Optional.of(new EngineLosses(droppedMessages.get(), controlLog.recoveredTotal(), apiDropped));
    }

    /** Bytes of received PUB/SUB messages waiting for their lane. */
    long backlog() {
        return backlog.get();
    }

    /** What publications on their way to Redis may hold together. */
    PublishBudget publishBudget() {
        return publishBudget;
    }

    private static <T> CompletionStage<T> guarded(RedisBackend shard,
            Function<RedisBackend, CompletionStage<T>> op) {
        try {
            return op.apply(shard);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    static <T> CompletionStage<T> notRunning() {
        return CompletableFuture.failedFuture(new IllegalStateException("Redis engine is not running"));
    }

    /**
     * Holds back the publications and scripts that {@code work} issues on this thread and writes them to each shard
     * in one go when it returns (at most {@link CommandBatch#MAX_COMMANDS} per write), in call order.
     */
    @Override
    public <T> T batch(Supplier<T> work) {
        return CommandBatch.run(work);
    }

    // ---- roles ----------------------------------------------------------------------------------------------

    @Override
    public Broker broker() {
        return broker;
    }

    @Override
    public PresenceStore presenceStore() {
        return stores;
    }

    @Override
    public HistoryStore historyStore() {
        return stores;
    }

    @Override
    public ControlBus controlBus() {
        return controlBus;
    }

    /** Healthy when started and every shard has its command and PUB/SUB connections up. */
    @Override
    public boolean healthy() {
        List<RedisBackend> all = shards;
        if (all.isEmpty() || closed) {
            return false;
        }
        for (RedisBackend s : all) {
            if (!s.healthy()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Every configured shard's state; before {@link #start} completed (or after close) each shard shows as not
     * connected, with no reconnects and no channels. On a cluster: one entry per master that owns slots.
     */
    @Override
    public List<EngineShard> shardStates() {
        List<RedisBackend> all = shards;
        if (config.clustered()) {
            return all.isEmpty() || closed
                    ? List.of(new EngineShard(0, config.cluster().describe(), false, 0, 0)) : all.get(0).states();
        }
        List<EngineShard> out = new ArrayList<>(config.shards().size());
        for (int i = 0; i < config.shards().size(); i++) {
            out.add(all.isEmpty() || closed ? new EngineShard(i, config.shards().get(i).describe(), false, 0, 0)
                    : all.get(i).states().get(0));
        }
        return out;
    }

    /**
     * Starts consuming the API queues ({@code P.api} and {@code P.api.0..N-1} on every shard, §8) when
     * {@code redis_api} is on; each entry's bytes go to {@code handler}, in queue order, one at a time per queue,
     * but for entries longer than {@code maxEntryBytes} ({@link ApiQueueWorker}). Call after {@link #start}
     * completed.
     */
    @Override
    public void consumeApiQueue(Function<byte[], CompletionStage<?>> handler, int maxEntryBytes) {
        if (!config.api()) {
            return;
        }
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            for (RedisBackend shard : shards) {
                for (int q = -1; q < config.apiNumShards(); q++) {
                    ApiQueueWorker w = new ApiQueueWorker(shard, names.apiQueue(q), handler, maxEntryBytes,
                            scheduler, config.commandTimeout());
                    apiWorkers.add(w);
                    w.start();
                }
            }
        }
    }

    /** Closes every connection and thread. Idempotent. */
    @Override
    public void close() {
        CompletableFuture<?>[] workers;
        synchronized (lifecycleLock) {
            if (closed) {
                return;
            }
            closed = true;
            listener = null;
            workers = apiWorkers.stream().map(ApiQueueWorker::closeAsync).toArray(CompletableFuture[]::new);
            apiWorkers.clear();
        }
        // The workers' connections close before their clients shut down: closed twice, each made Lettuce warn that
        // it was already closed.
        CompletableFuture<Void> workersClosed = CompletableFuture.allOf(workers)
                .completeOnTimeout(null, 250, TimeUnit.MILLISECONDS);
        List<CompletableFuture<Void>> closing = new ArrayList<>();
        for (RedisBackend s : shards) {
            closing.add(workersClosed.thenCompose(v -> s.closeAsync()));
        }
        shards = List.of();
        try {
            // Bounded: the clients must be down before their shared event loops go.
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("Redis connections did not close cleanly: {}", e.toString());
        }
        scheduler.shutdownNow();
        for (ExecutorService lane : lanes) {
            lane.shutdownNow();
        }
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
}
