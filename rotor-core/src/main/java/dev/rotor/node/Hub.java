package dev.rotor.node;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The node's registry of local connections: channel → subscribed sessions, user → authenticated sessions.
 * Thread-safe and lock-free for readers: fan-out iterates a concurrent set while subscribes and unsubscribes on
 * other channels proceed without contention (the per-channel sets are independent). Internal to the node: other
 * packages go through {@link Node}.
 *
 * <p>The hub also tracks the engine subscriptions in flight: the channel's first local subscriber starts one, and
 * every subscriber arriving before the engine confirms it waits for the same confirmation, so none of them reads
 * history (and claims {@code recovered: true}) while publications can still pass the node by.
 *
 * <p>A channel's engine operations run one after the other (see {@link #engineOps}), and while the engine does not
 * answer (a frozen Redis: each operation fails only at {@code redis_read_timeout}) that queue drains one operation per
 * timeout, whereas a peer can add a subscribe and an unsubscribe to it with each connection it opens, subscribes and
 * closes. So a subscribe that would have to queue its engine subscribe is refused when the channel has
 * {@link #CHANNEL_OPS_LIMIT} operations unfinished, or the node {@link #NODE_QUEUED_SUBSCRIBES_LIMIT} subscribes queued
 * ({@link Added#refused}). An unsubscribe is never refused: it follows the channel's subscribe, so a channel's queue
 * holds at most one more, and the node's at most one queued unsubscribe per queued subscribe plus one per channel
 * whose running operation is a subscribe (which ends by the timeout). A subscribe whose channel has nothing
 * unfinished is never refused, and pays nothing for the count.
 *
 * <p>A channel's subscriber set, engine operations and their links change inside that channel's {@code compute} on
 * {@link #channels}; an operation's end ({@link #engineSubscribed}, {@link #engineUnsubscribed}) touches only its own
 * entries, with conditional removes.
 */
final class Hub {
    /**
     * The most engine operations of one channel unfinished at once (the running one included) for a subscribe to
     * still queue its own; an unsubscribe may add one more. A channel in normal use has one or two (its last
     * subscriber left and a new one came within one engine round trip); a peer cycling connections through a channel
     * on a frozen Redis adds two per cycle, and each waits a {@code redis_read_timeout}. 32 leaves a wide margin for
     * bursts of real churn, and keeps a channel's queue to what the engine can drain in 32 timeouts once it answers
     * again (no time at all when it answers: the queued operations then take one round trip each).
     */
    static final int CHANNEL_OPS_LIMIT = 32;
    /**
     * The most engine subscribes queued on this node, over all channels, behind an unfinished operation of their
     * channel. The per-channel limit alone bounds each channel, but a peer can use ever new channels. Each queued
     * subscribe keeps, besides its own stages, those of the subscriber waiting for it, and with them that session (a
     * closed connection's too) until it runs: by estimate, not measured, one to a few KiB, so 16384 keep it to tens
     * of MiB. Real churn queues a subscribe only where a channel's last subscriber left less than an engine round trip
     * before: far fewer at once on a working engine, even in a reconnect storm.
     */
    static final int NODE_QUEUED_SUBSCRIBES_LIMIT = 16_384;

    private final ConcurrentHashMap<String, Set<ClientSession>> channels = new ConcurrentHashMap<>();
    /**
     * User → its authenticated sessions: the {@link ClientSession} itself while it is the user's only one, a
     * concurrent set from the second on (see {@link #addUser}). Most users hold one connection, and a set of one
     * costs ~180 bytes more per connection than the bare entry (a key-set view, its map, a table of 16 and a node).
     */
    private final ConcurrentHashMap<String, Object> users = new ConcurrentHashMap<>();
    /**
     * Channel → its engine subscription while in flight (removed when the engine confirms it), or after it failed:
     * then until the channel's last local subscriber has gone, so that a subscriber arriving meanwhile fails with
     * the others instead of taking the channel for subscribed.
     */
    private final ConcurrentHashMap<String, EngineOp> subscribing = new ConcurrentHashMap<>();
    /**
     * Channel → the last engine operation (subscribe or unsubscribe) started for it, until it is over. Each one
     * waits for the one before it, so that the engine gets them in the order the hub decided them: an unsubscribe
     * still on its way (on Redis, one that first writes the history's touch key) must not land after the next first
     * subscriber's subscribe, which would leave that subscriber, and every later one, without messages. An operation
     * is removed before it completes, so one found here is unfinished.
     */
    private final ConcurrentHashMap<String, EngineOp> engineOps = new ConcurrentHashMap<>();
    /** Engine subscribes queued behind an unfinished operation of their channel and not over yet, on all channels. */
    private final AtomicInteger queuedSubscribes = new AtomicInteger();
    private final int channelOpsLimit;
    private final int nodeQueuedSubscribesLimit;

    /** A hub with {@link #CHANNEL_OPS_LIMIT} and {@link #NODE_QUEUED_SUBSCRIBES_LIMIT}. */
    Hub() {
        this(CHANNEL_OPS_LIMIT, NODE_QUEUED_SUBSCRIBES_LIMIT);
    }

    /** A hub with other limits on queued engine operations (tests reach the node's limit with a few channels). */
    Hub(int channelOpsLimit, int nodeQueuedSubscribesLimit) {
        this.channelOpsLimit = channelOpsLimit;
        this.nodeQueuedSubscribesLimit = nodeQueuedSubscribesLimit;
    }

    /**
     * An engine operation of a channel: completes when it is over, whatever its outcome (a subscribe's fails with the
     * engine's error, for the subscribers waiting for it). Thread-safe.
     */
    static final class EngineOp extends CompletableFuture<Void> {
        /**
         * The channel's operation this one was queued behind, unfinished then; null when there was none (the usual
         * case, which then costs no write) and from the moment this one is over, so that a channel whose queue
         * never empties does not keep every operation it ever ran. Operations of a channel end in order, so the
         * unfinished ones are those reached from the last one before the first that is done.
         */
        volatile EngineOp before;
    }

    /** Why {@link #addSubscription} refused a subscriber: whose queue of engine operations is full. */
    enum Backlog {
        /** The channel has {@link #CHANNEL_OPS_LIMIT} engine operations unfinished. */
        CHANNEL,
        /** The node has {@link #NODE_QUEUED_SUBSCRIBES_LIMIT} engine subscribes queued. */
        NODE
    }

    /**
     * The outcome of {@link #addSubscription}.
     *
     * @param first       true for the node's first local subscriber of the channel: the caller subscribes the node
     *                    in the engine once {@code before} is over, and reports the outcome with
     *                    {@link #engineSubscribed}
     * @param engineReady completes when the engine subscription of the channel is confirmed (fails when it failed);
     *                    null when it was confirmed before this subscriber came
     * @param before      for the first subscriber, the channel's previous engine operation if still in flight (an
     *                    unsubscribe); null otherwise
     */
    record Added(boolean first, EngineOp engineReady, EngineOp before) {
        /**
         * Non-null when the subscriber was refused, and not added: its engine subscribe would have had to queue
         * behind a full backlog. A refusal is one of two shared instances, so that an accepted subscriber's outcome
         * costs no more than before the limits.
         */
        Backlog refused() {
            return this == CHANNEL_BACKLOG_FULL ? Backlog.CHANNEL : this == NODE_BACKLOG_FULL ? Backlog.NODE : null;
        }
    }

    private static final Added CHANNEL_BACKLOG_FULL = new Added(false, null, null);
    private static final Added NODE_BACKLOG_FULL = new Added(false, null, null);

    /**
     * The engine unsubscribe that the channel's last local subscriber starts: it runs once {@code before} (null:
     * nothing in flight) is over, and the caller reports its end with {@link #engineUnsubscribed}.
     */
    record Unsubscribe(EngineOp before, EngineOp done) {
    }

    /** Adds a subscription, unless its engine subscribe would queue behind a full backlog; see {@link Added}. */
    Added addSubscription(String channel, ClientSession session) {
        Added[] added = new Added[1];
        channels.compute(channel, (ch, set) -> {
            if (set == null) {
                EngineOp ready = new EngineOp();
                // one map operation when nothing is in flight, as before the limits: they cost only the queued case
                EngineOp before = engineOps.putIfAbsent(ch, ready);
                if (before != null) {
                    Backlog full = backlog(before);
                    if (full != null) {
                        added[0] = full == Backlog.CHANNEL ? CHANNEL_BACKLOG_FULL : NODE_BACKLOG_FULL;
                        return null; // no subscriber, no subscribe: the channel stays as it was
                    }
                    ready.before = before;
                    queuedSubscribes.incrementAndGet();
                    engineOps.put(ch, ready);
                }
                // sized for one: many channels have a single subscriber (a user's own channel), and a table of 16
                // slots would cost 56 bytes more for it; a channel with many grows by doubling as usual
                set = ConcurrentHashMap.newKeySet(1);
                subscribing.put(ch, ready);
                added[0] = new Added(true, ready, before);
            } else {
                added[0] = new Added(false, subscribing.get(ch), null);
            }
            set.add(session);
            return set;
        });
        return added[0];
    }

    /**
     * The engine answered the subscription a first subscriber started: releases every subscriber waiting for it.
     *
     * @param error null when the engine confirmed the subscription
     */
    void engineSubscribed(String channel, EngineOp ready, Throwable error) {
        engineOps.remove(channel, ready);
        if (over(ready)) {
            queuedSubscribes.decrementAndGet();
        }
        if (error == null) {
            subscribing.remove(channel, ready);
            ready.complete(null);
        } else {
            ready.completeExceptionally(error);
        }
    }

    /**
     * Removes a subscription.
     *
     * @return the engine unsubscribe to run when the node has no local subscriber of the channel left (and had this
     *         one); null otherwise
     */
    Unsubscribe removeSubscription(String channel, ClientSession session) {
        Unsubscribe[] last = new Unsubscribe[1];
        channels.computeIfPresent(channel, (ch, set) -> {
            if (set.remove(session) && set.isEmpty()) {
                subscribing.remove(ch); // in flight or failed: nobody waits for it any more
                EngineOp done = new EngineOp();
                EngineOp before = engineOps.put(ch, done);
                if (before != null) {
                    done.before = before; // never refused: see the class comment
                }
                last[0] = new Unsubscribe(before, done);
                return null;
            }
            return set.isEmpty() ? null : set;
        });
        return last[0];
    }

    /** The engine unsubscribe of {@link #removeSubscription} is over, whatever its outcome. */
    void engineUnsubscribed(String channel, EngineOp done) {
        engineOps.remove(channel, done);
        over(done);
        done.complete(null);
    }

    /** Unlinks an operation that is over from the one it was queued behind; true when it had been queued. */
    private static boolean over(EngineOp op) {
        if (op.before == null) {
            return false;
        }
        op.before = null;
        return true;
    }

    /**
     * Whose backlog is full for a subscribe that would queue behind {@code last}, the channel's last operation;
     * null when it may queue. Runs only when the channel has an operation in flight; the walk reads at most
     * {@link #channelOpsLimit} operations.
     */
    private Backlog backlog(EngineOp last) {
        if (unfinished(last, channelOpsLimit) >= channelOpsLimit) {
            return Backlog.CHANNEL;
        }
        // a check, then an increment: subscribes on several event loops at once can pass the limit by one each
        return queuedSubscribes.get() >= nodeQueuedSubscribesLimit ? Backlog.NODE : null;
    }

    /** Unfinished operations from {@code last} back, counting at most {@code limit}. */
    private static int unfinished(EngineOp last, int limit) {
        int n = 0;
        for (EngineOp op = last; op != null && !op.isDone() && n < limit; op = op.before) {
            n++;
        }
        return n;
    }

    int channelOpsLimit() {
        return channelOpsLimit;
    }

    int nodeQueuedSubscribesLimit() {
        return nodeQueuedSubscribesLimit;
    }

    /** The channel's engine operations unfinished now, the running one included (for tests and diagnostics). */
    int unfinishedEngineOps(String channel) {
        return unfinished(engineOps.get(channel), Integer.MAX_VALUE);
    }

    /** Engine subscribes queued behind an unfinished operation of their channel, on all channels. */
    int queuedEngineSubscribes() {
        return queuedSubscribes.get();
    }

    /** Starts {@code operation} once {@code before} (null: nothing) is over, whatever its outcome. */
    static CompletionStage<Void> after(CompletableFuture<Void> before, Supplier<CompletionStage<Void>> operation) {
        if (before == null || before.isDone()) {
            return start(operation);
        }
        return before.handle((v, e) -> null).thenCompose(v -> start(operation));
    }

    /**
     * The operation's stage; a failed one if it throws instead of returning one, so that the turn still ends (an
     * engine that threw would otherwise leave the channel's later subscribers waiting for good).
     */
    private static CompletionStage<Void> start(Supplier<CompletionStage<Void>> operation) {
        try {
            return operation.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** The live set of subscribers (weakly consistent view; do not modify). Empty when none. */
    Set<ClientSession> subscribers(String channel) {
        Set<ClientSession> set = channels.get(channel);
        return set == null ? Collections.emptySet() : set;
    }

    boolean hasSubscribers(String channel) {
        return channels.containsKey(channel);
    }

    /**
     * Adds an authenticated session unless its user already holds {@code limit} sessions on this node (0: no limit).
     * The count and the add are one step per user, so connects of one user on several event loops at once cannot
     * pass the limit together.
     *
     * @return false when the limit refused the session
     */
    boolean addUser(ClientSession session, int limit) {
        boolean[] added = {true};
        users.compute(session.user(), (user, held) -> {
            if (held == null) {
                return session;
            }
            if (limit > 0 && count(held) >= limit) {
                added[0] = false;
                return held;
            }
            if (held instanceof ClientSession only) {
                Set<ClientSession> set = ConcurrentHashMap.newKeySet(4);
                set.add(only);
                set.add(session);
                return set;
            }
            sessions(held).add(session);
            return held;
        });
        return added[0];
    }

    /** Removes an authenticated session; false when the hub did not have it. */
    boolean removeUser(ClientSession session) {
        boolean[] removed = {false};
        users.computeIfPresent(session.user(), (u, held) -> {
            if (held instanceof ClientSession only) {
                removed[0] = only == session;
                return removed[0] ? null : held;
            }
            Set<ClientSession> set = sessions(held);
            removed[0] = set.remove(session);
            // a set stays a set until empty: a user whose next connection arrives before the last one has gone (a
            // reconnect, a page reload) would otherwise get a new set each time
            return set.isEmpty() ? null : set;
        });
        return removed[0];
    }

    /**
     * Authenticated sessions of a user on this node: a weakly consistent live view, or a snapshot when the user has
     * one session (do not modify).
     */
    Set<ClientSession> userSessions(String user) {
        Object held = users.get(user);
        if (held == null) {
            return Collections.emptySet();
        }
        return held instanceof ClientSession only ? Set.of(only) : sessions(held);
    }

    int userConnectionCount(String user) {
        Object held = users.get(user);
        return held == null ? 0 : count(held);
    }

    /** Sessions in a value of {@link #users}. */
    private static int count(Object held) {
        return held instanceof ClientSession ? 1 : sessions(held).size();
    }

    /** A value of {@link #users} that is not a single session. */
    @SuppressWarnings("unchecked")
    private static Set<ClientSession> sessions(Object held) {
        return (Set<ClientSession>) held;
    }

    /** Channels with at least one local subscriber. */
    Set<String> channels() {
        return channels.keySet();
    }

    int numChannels() {
        return channels.size();
    }

    /** Distinct users among authenticated sessions (anonymous counts as one). */
    int numUniqueUsers() {
        return users.size();
    }

    /** Authenticated sessions. */
    int numClients() {
        int n = 0;
        for (Object held : users.values()) {
            n += count(held);
        }
        return n;
    }

    /** Every authenticated session, for shutdown and periodic work. */
    Iterable<ClientSession> allSessions() {
        return () -> users.values().stream()
                .flatMap(held -> held instanceof ClientSession only ? Stream.of(only) : sessions(held).stream())
                .iterator();
    }
}
