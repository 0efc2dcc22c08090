package dev.rotor.node;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.EngineLosses;
import dev.rotor.engine.EngineShard;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistorySnapshot;
import dev.rotor.engine.HistoryUsage;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Gauge;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.Pushes;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import dev.rotor.transport.WriteBatch;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Rotor node: owns the {@link Hub} of local connections, talks to the engine only through its role interfaces,
 * fans publications out to local subscribers, and offers the operations the API executor needs.
 *
 * <p>Thread-safe. Configuration can be swapped at any time by {@link #reload}; each operation reads it once.
 * Publications are encoded once per node and the same bytes are written to every local subscriber.
 */
public final class Node implements EngineListener {
    private static final Logger log = LoggerFactory.getLogger(Node.class);

    /** Sent to clients whose channels may have missed messages while the engine was reconnecting. */
    public static final Disconnect SUBSCRIPTIONS_LOST = new Disconnect("subscriptions lost", true);

    private final Engine engine;
    private final Metrics metrics;
    private final ScheduledExecutorService scheduler;
    /** Session timers on {@link #scheduler}, for sessions opened without timers of their own. */
    private final Timers executorTimers;
    private final Clock clock;
    /** One log line per outage, not one per failed command (STYLE.md §4: handle an error once). */
    private final ThrottledLog engineFailures;
    /** Subscribes refused because the engine has not finished a channel's earlier operations; see {@link Hub}. */
    private final ThrottledLog engineBacklog;
    private final Hub hub;
    private final MessageUids uids = new MessageUids();
    private final String uid = UUID.randomUUID().toString();
    private final long startedAt;
    private final NodeRegistry registry;
    private final ControlMessages control;
    private final List<Consumer<ControlMessage>> adminListeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger openSessions = new AtomicInteger();
    private final ClientQueueBudget clientQueueBudget;
    /** The scheduled periodic tasks; empty before start and after shutdown. Guarded by itself for replacement. */
    private final List<ScheduledFuture<?>> periodic = new CopyOnWriteArrayList<>();
    /** True between start and shutdown, when periodic work runs. Guarded by {@link #periodic}. */
    private boolean running;
    private volatile NodeConfig config;

    /**
     * @param scheduler runs session timers and the node's periodic work; owned by the caller
     * @param clock     wall clock for timestamps and expiry
     */
    public Node(NodeConfig config, Engine engine, Metrics metrics, ScheduledExecutorService scheduler, Clock clock) {
        this(config, engine, metrics, scheduler, clock, new Hub());
    }

    /** A node on a hub of the caller's, e.g. with other limits on queued engine operations (tests). */
    Node(NodeConfig config, Engine engine, Metrics metrics, ScheduledExecutorService scheduler, Clock clock, Hub hub) {
        this.hub = hub;
        this.config = config;
        this.engine = engine;
        this.metrics = metrics;
        this.scheduler = scheduler;
        this.executorTimers = Timers.onExecutor(scheduler);
        this.clock = clock;
        this.engineFailures = new ThrottledLog(log, clock, 10_000);
        this.engineBacklog = new ThrottledLog(log, clock, 10_000);
        this.startedAt = clock.millis() / 1000;
        this.registry = new NodeRegistry(clock);
        this.control = new ControlMessages(this);
        this.clientQueueBudget = new ClientQueueBudget(() -> this.config.clientQueueBudget(), clock);
    }

    /** Beyond v1: the bytes of all clients' queues against {@code client_queue_budget}. */
    public ClientQueueBudget clientQueueBudget() {
        return clientQueueBudget;
    }

    /** Starts the engine, announces this node and schedules periodic work. */
    public CompletionStage<Void> start() {
        return engine.start(this).thenRun(() -> {
            pingNode();
            synchronized (periodic) {
                running = true;
                schedulePeriodic(config);
            }
        });
    }

    /** Guarded by {@link #periodic}. */
    private void schedulePeriodic(NodeConfig cfg) {
        schedule(this::pingNode, cfg.nodePingInterval());
        schedule(() -> registry.dropStale(config.nodePingInterval()), 3L * cfg.nodePingInterval());
        schedule(metrics::rotate, cfg.nodeMetricsInterval());
        schedule(this::refreshPresence, cfg.presencePingInterval());
    }

    /** Guarded by {@link #periodic}. */
    private void cancelPeriodic() {
        for (ScheduledFuture<?> f : periodic) {
            f.cancel(false);
        }
        periodic.clear();
    }

    private void schedule(Runnable task, long periodSeconds) {
        if (periodSeconds <= 0) {
            return;
        }
        periodic.add(scheduler.scheduleAtFixedRate(() -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("periodic node task failed", e);
            }
        }, periodSeconds, periodSeconds, TimeUnit.SECONDS));
    }

    public NodeConfig config() {
        return config;
    }

    /**
     * Swaps in a reloaded configuration; existing connections keep their per-connection settings. Periodic node
     * work (node ping, metrics window, presence refresh) is rescheduled when its interval changed, as v1 does.
     */
    public void reload(NodeConfig newConfig) {
        NodeConfig old = this.config;
        this.config = newConfig;
        if (old.nodePingInterval() != newConfig.nodePingInterval()
                || old.nodeMetricsInterval() != newConfig.nodeMetricsInterval()
                || old.presencePingInterval() != newConfig.presencePingInterval()) {
            synchronized (periodic) {
                if (running) {
                    cancelPeriodic();
                    schedulePeriodic(newConfig);
                }
            }
        }
    }

    /** The local connections; package-private, so only the node's own classes and tests reach into it. */
    Hub hub() {
        return hub;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** The engine's name as {@code info} reports it ({@code memory}, {@code redis}). */
    public String engineName() {
        return engine.name();
    }

    /** True while the engine can serve (for Redis: every shard connected and subscribed); backs {@code /health}. */
    public boolean engineHealthy() {
        return engine.healthy();
    }

    /** The state of each engine shard (none for the memory engine); backs {@code /health?verbose} and metrics. */
    public List<EngineShard> engineShards() {
        return engine.shardStates();
    }

    /** What the engine keeps of channel history in this process (the memory engine's); backs metrics. */
    public Optional<HistoryUsage> engineHistoryUsage() {
        return engine.historyUsage();
    }

    /** What the engine dropped or read back from its backend (the Redis engine's); backs metrics. */
    public Optional<EngineLosses> engineLosses() {
        return engine.losses();
    }

    /** Authenticated connections on this node. */
    public int numClients() {
        return hub.numClients();
    }

    /** True when a connection on this node is subscribed to the channel. */
    public boolean hasSubscribers(String channel) {
        return hub.hasSubscribers(channel);
    }

    /** This node's id, new on every start. */
    public String uid() {
        return uid;
    }

    public long startedAt() {
        return startedAt;
    }

    long nowSeconds() {
        return clock.millis() / 1000;
    }

    /** A fresh 22-character message uid. */
    public String nextMessageUid() {
        return uids.next();
    }

    /**
     * Creates the session for a newly opened connection; the stale timer starts now. Its timers run on the node's
     * scheduler.
     */
    public ClientSession openSession(Transport transport) {
        return openSession(transport, executorTimers);
    }

    /**
     * Creates the session for a newly opened connection, with its stale and expiry timers on {@code timers} (e.g.
     * the timer wheel of the connection's event loop); the stale timer starts now.
     */
    public ClientSession openSession(Transport transport, Timers timers) {
        openSessions.incrementAndGet();
        return new ClientSession(this, transport, config, timers);
    }

    /** Connections opened and not yet closed, authenticated or not. */
    public int openSessionCount() {
        return openSessions.get();
    }

    void sessionClosed(ClientSession session) {
        openSessions.decrementAndGet();
    }

    /**
     * Registers an authenticated session unless its user holds {@code userLimit} sessions already (0: no limit).
     *
     * @return false when the limit refused it
     */
    boolean addClient(ClientSession session, int userLimit) {
        if (!hub.addUser(session, userLimit)) {
            return false;
        }
        metrics.inc(Counter.NODE_NUM_ADD_CLIENT_CONN);
        if (session.isClosed()) {
            // closed between its authentication and here: its clean-up ran already and found nothing to remove
            removeClient(session);
        }
        return true;
    }

    void removeClient(ClientSession session) {
        // counted only when registered: a connect the user limit refused after authenticating closes the session
        // without it ever being added
        if (hub.removeUser(session)) {
            metrics.inc(Counter.NODE_NUM_REMOVE_CLIENT_CONN);
        }
    }

    // ---- subscriptions ----------------------------------------------------------------------------------------

    /**
     * Registers a local subscription; subscribes the node in the engine for the channel's first local subscriber.
     * The stage completes once the engine subscription is confirmed, also for a later subscriber arriving while the
     * first one's is still in flight: until then publications may pass the node by, so reading history earlier
     * could claim a recovery that misses them.
     */
    CompletionStage<Void> addSubscription(String channel, ClientSession session) {
        metrics.inc(Counter.NODE_NUM_ADD_CLIENT_SUB);
        // v1 compat: v1 let a later subscriber read history while the node's first SUBSCRIBE was still in flight
        // and answer recovered: true although publications in between never reached it
        Hub.Added added = hub.addSubscription(channel, session);
        if (added.refused() != null) {
            // not in the hub, nothing started: the client is closed with internal server error, as when the engine
            // fails the subscribe; it never joined, and its clean-up has nothing of the channel to undo
            session.removeChannel(channel);
            refusedForBacklog(channel, added.refused());
            return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.INTERNAL_SERVER_ERROR));
        }
        if (added.first()) {
            Hub.after(added.before(), () -> engine.broker().subscribe(channel))
                    .whenComplete((v, e) -> hub.engineSubscribed(channel, added.engineReady(), e));
        }
        CompletionStage<Void> engineSub = added.engineReady() == null ? done() : added.engineReady();
        // an engine failure is logged (throttled) before the client is closed with internal server error
        return internal(engineSub).whenComplete((v, e) -> {
            // the session closed, or an API unsubscribe took the channel from it before it was in the hub: undo,
            // so that the hub keeps no session that nothing will remove (the session's clean-up goes by its own
            // channels); a failed subscription closes the session, and its clean-up removes it from the hub
            if (session.isClosed() || !session.isSubscribed(channel)) {
                leaveHub(channel, session);
            }
        });
    }

    private void refusedForBacklog(String channel, Hub.Backlog backlog) {
        if (backlog == Hub.Backlog.CHANNEL) {
            engineBacklog.warn("refused a subscribe to channel {}: the engine has not answered this node's last "
                    + hub.channelOpsLimit() + " subscribe/unsubscribe operations of the channel (is Redis frozen or"
                    + " unreachable?); the client is closed with internal server error", channel);
        } else {
            engineBacklog.warn("refused a subscribe to channel {}: this node has " + hub.nodeQueuedSubscribesLimit()
                    + " engine subscribes waiting for earlier operations of their channels that the engine has not"
                    + " answered (is Redis frozen or unreachable?); the client is closed with internal server error",
                    channel);
        }
    }

    /**
     * The full unsubscribe procedure (§5.4 step 3): presence removal, leave, deregistration. A subscription that had
     * not joined yet (its subscribe still waited for the engine, or the engine failed it) has no presence to remove
     * and publishes no leave; the hub and the engine are undone all the same.
     */
    CompletionStage<Void> unsubscribeSession(ClientSession session, String channel, ClientSession.Unsubscribed ended) {
        ChannelOptions opts = config.channelOptions(channel);
        if (opts != null && opts.presence() && ended.presenceAdded()) {
            removePresence(channel, session.clientId());
        }
        // v1 compat: v1 ran these steps for every channel in the connection's set, which a channel joins before the
        // engine subscribes the node (§5.3 step 9): a subscribe the engine failed published a leave without a join
        if (opts != null && opts.joinLeave() && ended.joined()) {
            publishLeave(channel, ended.info());
        }
        metrics.inc(Counter.NODE_NUM_REMOVE_CLIENT_SUB);
        return leaveHub(channel, session);
    }

    /** Takes the session out of the channel's subscribers, and the node out of the engine's if it was the last. */
    private CompletionStage<Void> leaveHub(String channel, ClientSession session) {
        Hub.Unsubscribe last = hub.removeSubscription(channel, session);
        return last == null ? done() : engineUnsubscribe(channel, last);
    }

    /** Unsubscribes the node in the engine, after the channel's engine operation in flight, if any. */
    private CompletionStage<Void> engineUnsubscribe(String channel, Hub.Unsubscribe last) {
        ChannelOptions opts = config.channelOptions(channel);
        HistoryOptions history = opts == null ? HistoryOptions.NONE : HistoryOptions.of(opts);
        return Hub.after(last.before(), () -> engine.broker().unsubscribe(channel, history))
                .whenComplete((v, e) -> hub.engineUnsubscribed(channel, last.done()));
    }

    /**
     * Adds a subscriber's presence, and removes it again when the subscription ended while the add was in flight:
     * its end did not know of the presence, and nothing would remove it later (the memory engine's presence never
     * expires). Recording the add and checking the subscription are one step under the session's monitor, so an end
     * after it removes the presence itself.
     */
    CompletionStage<Void> addPresence(ClientSession session, String channel, ClientInfo info) {
        metrics.inc(Counter.NODE_NUM_ADD_PRESENCE);
        String clientId = session.clientId();
        return internal(engine.presenceStore().addPresence(channel, clientId, info, config.presenceExpireInterval()))
                .thenRun(() -> {
                    if (!session.presenceAdded(channel)) {
                        removePresence(channel, clientId);
                    }
                });
    }

    /** Removes a client's presence; not awaited, a failure is logged (throttled). */
    void removePresence(String channel, String clientId) {
        metrics.inc(Counter.NODE_NUM_REMOVE_PRESENCE);
        engine.presenceStore().removePresence(channel, clientId).exceptionally(e -> {
            engineFailures.warn("removing presence failed: {}", e.toString());
            return null;
        });
    }

    /** Every {@code presence_ping_interval}: re-write presence of every subscription with presence on. */
    private void refreshPresence() {
        NodeConfig cfg = config;
        for (ClientSession s : hub.allSessions()) {
            for (String channel : s.channels()) {
                ChannelOptions opts = cfg.channelOptions(channel);
                if (opts != null && opts.presence() && !s.isClosed()) {
                    addPresence(s, channel, s.info(channel)).exceptionally(e -> null);
                }
            }
        }
    }

    // ---- publishing -------------------------------------------------------------------------------------------

    /**
     * Runs {@code work}, letting the engine send the commands it starts on this thread together when it returns
     * ({@link Engine#batch}); {@code work} must not wait for their stages.
     */
    public <T> T batched(Supplier<T> work) {
        return engine.batch(work);
    }

    /** Publishes a message (history as the channel options say); a watched channel's message also goes to admins. */
    public CompletionStage<Void> publish(Message message, ChannelOptions opts) {
        metrics.inc(Counter.NODE_NUM_CLIENT_MSG_PUBLISHED);
        if (opts.watch()) {
            publishAdmin(AdminMessages.watch(message));
        }
        return engine.broker().publish(message, HistoryOptions.of(opts));
    }

    CompletionStage<Void> publishJoin(String channel, ClientInfo info) {
        metrics.inc(Counter.NODE_NUM_JOIN_MSG_PUBLISHED);
        return engine.broker().publishJoin(channel, info);
    }

    CompletionStage<Void> publishLeave(String channel, ClientInfo info) {
        metrics.inc(Counter.NODE_NUM_LEAVE_MSG_PUBLISHED);
        return engine.broker().publishLeave(channel, info);
    }

    public CompletionStage<Void> publishAdmin(ControlMessage message) {
        metrics.inc(Counter.NODE_NUM_ADMIN_MSG_PUBLISHED);
        return engine.controlBus().publishAdmin(message);
    }

    CompletionStage<Void> publishControl(ControlMessage message) {
        metrics.inc(Counter.NODE_NUM_CONTROL_MSG_PUBLISHED);
        return engine.controlBus().publishControl(message);
    }

    /** Receives admin messages (watch copies) for admin connections on this node. */
    public void addAdminListener(Consumer<ControlMessage> listener) {
        adminListeners.add(listener);
    }

    public void removeAdminListener(Consumer<ControlMessage> listener) {
        adminListeners.remove(listener);
    }

    /** Admin listeners registered now (for tests). */
    public int adminListenerCount() {
        return adminListeners.size();
    }

    // ---- EngineListener: fan-out ------------------------------------------------------------------------------

    @Override
    public void onMessage(Message message) {
        metrics.inc(Counter.NODE_NUM_CLIENT_MSG_RECEIVED);
        broadcast(message.channel(), null, message);
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
        metrics.inc(Counter.NODE_NUM_JOIN_MSG_RECEIVED);
        broadcast(channel, Pushes::join, info);
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
        metrics.inc(Counter.NODE_NUM_LEAVE_MSG_RECEIVED);
        broadcast(channel, Pushes::leave, info);
    }

    /**
     * Encodes once, only when someone is subscribed, and writes the same bytes to every local subscriber, batching
     * the flush tasks per event loop.
     */
    private void broadcast(String channel, java.util.function.BiFunction<String, ClientInfo, byte[]> encoder,
            Object payload) {
        Set<ClientSession> subscribers = hub.subscribers(channel);
        if (subscribers.isEmpty()) {
            return;
        }
        byte[] frame = encoder == null ? Pushes.message((Message) payload)
                : encoder.apply(channel, (ClientInfo) payload);
        String messageUid = encoder == null ? ((Message) payload).uid() : null;
        // one flush task per event loop instead of one per subscriber; run even if a delivery throws, or the
        // connections already queued would wait for their next write
        WriteBatch batch = new WriteBatch();
        try {
            for (ClientSession s : subscribers) {
                s.deliver(channel, messageUid, frame, batch);
            }
        } finally {
            batch.run();
        }
    }

    @Override
    public void onControl(ControlMessage message) {
        metrics.inc(Counter.NODE_NUM_CONTROL_MSG_RECEIVED);
        control.handle(message);
    }

    @Override
    public void onAdmin(ControlMessage message) {
        metrics.inc(Counter.NODE_NUM_ADMIN_MSG_RECEIVED);
        for (Consumer<ControlMessage> l : adminListeners) {
            l.accept(message);
        }
    }

    /**
     * The engine's subscriptions were interrupted and restored (redis-engine.md §10): messages of these channels
     * may have been lost on the way to this node. Their local subscribers are disconnected with reconnect advice,
     * so v1 clients reconnect and resubscribe with {@code recover} and {@code last} and get the missed messages
     * from history (beyond v1, which lost them silently).
     */
    @Override
    public void onSubscriptionsLost(Set<String> channels) {
        // v1 compat: v1 lost these messages silently; a forced reconnect lets clients recover them.
        Set<ClientSession> affected = new java.util.HashSet<>();
        for (String channel : channels) {
            affected.addAll(hub.subscribers(channel));
        }
        if (!affected.isEmpty()) {
            log.warn("engine subscriptions of {} channels were interrupted; disconnecting {} clients so they"
                    + " recover", channels.size(), affected.size());
        }
        for (ClientSession s : affected) {
            s.close(SUBSCRIPTIONS_LOST);
        }
    }

    // ---- API operations ---------------------------------------------------------------------------------------

    /** Presence of a channel; fails with {@code namespace not found} / {@code not available} as v1. */
    public CompletionStage<Map<String, ClientInfo>> presence(String channel) {
        ChannelOptions opts = config.channelOptions(channel);
        if (opts == null) {
            return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.NAMESPACE_NOT_FOUND));
        }
        if (!opts.presence()) {
            return CompletableFuture.failedFuture(new ProtocolException(ProtocolError.NOT_AVAILABLE));
        }
        metrics.inc(Counter.NODE_NUM_PRESENCE);
        return internal(engine.presenceStore().presence(channel));
    }

    /** History of a channel, newest first; fails with {@code namespace not found} / {@code not available}. */
    public CompletionStage<List<Message>> history(String channel) {
        ChannelOptions opts = config.channelOptions(channel);
        ProtocolException refused = historyRefused(opts);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        metrics.inc(Counter.NODE_NUM_HISTORY);
        return internal(engine.historyStore().history(channel, opts.historySize()));
    }

    /** History for a recovering subscribe, with how far back it is unbroken; fails as {@link #history} does. */
    CompletionStage<HistorySnapshot> historyForRecovery(String channel) {
        ChannelOptions opts = config.channelOptions(channel);
        ProtocolException refused = historyRefused(opts);
        if (refused != null) {
            return CompletableFuture.failedFuture(refused);
        }
        metrics.inc(Counter.NODE_NUM_HISTORY);
        return internal(engine.historyStore().historyForRecovery(channel, opts.historySize()));
    }

    /**
     * Why a channel with these options has no history to read; null when it has. One lookup of the options per read:
     * a reload between two could remove the namespace.
     */
    private static ProtocolException historyRefused(ChannelOptions opts) {
        if (opts == null) {
            return new ProtocolException(ProtocolError.NAMESPACE_NOT_FOUND);
        }
        return opts.historyEnabled() ? null : new ProtocolException(ProtocolError.NOT_AVAILABLE);
    }

    /** Uid of the newest message; does not check history options (§5.3 step 11). */
    CompletionStage<String> lastMessageId(String channel) {
        metrics.inc(Counter.NODE_NUM_LAST_MESSAGE_ID);
        return engine.historyStore().lastMessageId(channel);
    }

    public CompletionStage<List<String>> channels() {
        return internal(engine.broker().channels());
    }

    /**
     * Unsubscribes a user's connections on this node from a channel (all channels when empty) and tells the other
     * nodes to do the same (http-api.md §4.3).
     */
    public CompletionStage<Void> unsubscribeUser(String user, String channel) {
        unsubscribeUserLocally(user, channel);
        return internal(publishControl(ControlMessages.unsubscribe(uid, user, channel)));
    }

    void unsubscribeUserLocally(String user, String channel) {
        for (ClientSession s : List.copyOf(hub.userSessions(user))) {
            List<String> targets = channel.isEmpty() ? s.channels() : List.of(channel);
            for (String ch : targets) {
                ClientSession.Unsubscribed ended = s.removeChannel(ch);
                CompletionStage<Void> unsub = ended == null ? done() : unsubscribeSession(s, ch, ended);
                // v1 compat: the push goes to every connection of the user, subscribed or not; after the reply of a
                // subscribe in flight, as v1 sent it
                unsub.whenComplete((v, e) -> s.deliverAfterReplies(Pushes.unsubscribe(ch)));
            }
        }
    }

    /** Disconnects a user's connections on this node and on every other node (http-api.md §4.4). */
    public CompletionStage<Void> disconnectUser(String user) {
        disconnectUserLocally(user, Disconnect.DISCONNECT);
        return internal(publishControl(ControlMessages.disconnect(uid, user)));
    }

    /** Closes a user's connections on this node only, with the given advice; the other nodes are not told. */
    public void disconnectUserLocally(String user, Disconnect disconnect) {
        for (ClientSession s : List.copyOf(hub.userSessions(user))) {
            s.close(disconnect);
        }
    }

    // ---- node info and stats ----------------------------------------------------------------------------------

    /** This node's info with raw current metrics (the API {@code node} command). */
    public NodeInfo info() {
        updateGauges();
        return new NodeInfo(uid, config.version(), config.name(), startedAt, metrics.raw());
    }

    /** Every node heard from recently, this one included (the API {@code stats} command). */
    public List<NodeInfo> nodes() {
        return new ArrayList<>(registry.nodes());
    }

    private void updateGauges() {
        metrics.setGauge(Gauge.NODE_NUM_CLIENTS, hub.numClients());
        metrics.setGauge(Gauge.NODE_NUM_UNIQUE_CLIENTS, hub.numUniqueUsers());
        metrics.setGauge(Gauge.NODE_NUM_CHANNELS, hub.numChannels());
        metrics.setGauge(Gauge.NODE_UPTIME_SECONDS, nowSeconds() - startedAt);
    }

    /** Announces this node (with its last metrics snapshot) to every node, itself included. */
    private void pingNode() {
        updateGauges();
        NodeInfo info = new NodeInfo(uid, config.version(), config.name(), startedAt, metrics.snapshot());
        publishControl(ControlMessages.ping(uid, info)).exceptionally(e -> {
            engineFailures.warn("node ping failed: {}", e.toString());
            return null;
        });
    }

    void nodeSeen(NodeInfo info) {
        registry.update(info);
    }

    // ---- shutdown ---------------------------------------------------------------------------------------------

    /** Closes every authenticated connection with {@code shutting down} and stops periodic work. */
    public void shutdown() {
        synchronized (periodic) {
            running = false;
            cancelPeriodic();
        }
        for (ClientSession s : List.copyOf(snapshotSessions())) {
            s.close(Disconnect.SHUTDOWN);
        }
    }

    private List<ClientSession> snapshotSessions() {
        List<ClientSession> out = new ArrayList<>();
        hub.allSessions().forEach(out::add);
        return out;
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    private static CompletionStage<Void> done() {
        return CompletableFuture.completedFuture(null);
    }

    /** Maps an engine failure to {@code internal server error}, keeping protocol errors as they are. */
    private <T> CompletionStage<T> internal(CompletionStage<T> stage) {
        return stage.handle((v, e) -> {
            if (e == null) {
                return v;
            }
            Throwable cause = Failures.cause(e);
            if (cause instanceof ProtocolException pe) {
                throw pe;
            }
            engineFailures.warn("engine operation failed: {}", cause.toString());
            throw new ProtocolException(ProtocolError.INTERNAL_SERVER_ERROR);
        });
    }

    /**
     * The most nodes the registry keeps. Pings arrive through the engine, where anyone with access to Redis can
     * publish forged ones with ever new uids as fast as Redis takes them; each stays until it is stale (two ping
     * intervals and a second). A real cluster has tens of nodes.
     */
    static final int MAX_NODES = 1024;

    /** Registry of nodes heard from through pings, at most {@link #MAX_NODES}. Thread-safe. */
    private static final class NodeRegistry {
        private final Clock clock;
        private final ConcurrentHashMap<String, NodeInfo> nodes = new ConcurrentHashMap<>();
        private final ConcurrentHashMap<String, Long> seenAt = new ConcurrentHashMap<>();
        private final ThrottledLog refused;

        NodeRegistry(Clock clock) {
            this.clock = clock;
            this.refused = new ThrottledLog(log, clock, 60_000);
        }

        /** Records a ping; a new node beyond {@link #MAX_NODES} is ignored (and warned about), known ones refresh. */
        void update(NodeInfo info) {
            if (!nodes.containsKey(info.uid()) && nodes.size() >= MAX_NODES) {
                refused.warn("ignored a ping of node {}: this node already knows " + MAX_NODES
                        + " nodes (pings come through the engine; check who publishes on its control channel)",
                        info.uid());
                return;
            }
            nodes.put(info.uid(), info);
            seenAt.put(info.uid(), clock.millis());
        }

        /** Drops nodes not refreshed for more than {@code 2 × ping interval + 1} seconds (http-api.md §4.8). */
        void dropStale(int pingInterval) {
            long limit = clock.millis() - (2L * pingInterval + 1) * 1000;
            seenAt.forEach((id, at) -> {
                if (at < limit) {
                    seenAt.remove(id);
                    nodes.remove(id);
                }
            });
        }

        java.util.Collection<NodeInfo> nodes() {
            return nodes.values();
        }
    }
}
