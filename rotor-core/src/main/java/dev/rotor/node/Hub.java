package dev.rotor.node;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
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
 */
final class Hub {
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
    private final ConcurrentHashMap<String, CompletableFuture<Void>> subscribing = new ConcurrentHashMap<>();
    /**
     * Channel → the last engine operation (subscribe or unsubscribe) started for it, until it is over. Each one
     * waits for the one before it, so that the engine gets them in the order the hub decided them: an unsubscribe
     * still on its way (on Redis, one that first writes the history's touch key) must not land after the next first
     * subscriber's subscribe, which would leave that subscriber, and every later one, without messages.
     */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> engineOps = new ConcurrentHashMap<>();

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
    record Added(boolean first, CompletableFuture<Void> engineReady, CompletableFuture<Void> before) {
    }

    /**
     * The engine unsubscribe that the channel's last local subscriber starts: it runs once {@code before} (null:
     * nothing in flight) is over, and the caller reports its end with {@link #engineUnsubscribed}.
     */
    record Unsubscribe(CompletableFuture<Void> before, CompletableFuture<Void> done) {
    }

    /** Adds a subscription; see {@link Added}. */
    Added addSubscription(String channel, ClientSession session) {
        Added[] added = new Added[1];
        channels.compute(channel, (ch, set) -> {
            if (set == null) {
                // sized for one: many channels have a single subscriber (a user's own channel), and a table of 16
                // slots would cost 56 bytes more for it; a channel with many grows by doubling as usual
                set = ConcurrentHashMap.newKeySet(1);
                CompletableFuture<Void> ready = new CompletableFuture<>();
                subscribing.put(ch, ready);
                added[0] = new Added(true, ready, engineOps.put(ch, ready));
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
    void engineSubscribed(String channel, CompletableFuture<Void> ready, Throwable error) {
        engineOps.remove(channel, ready);
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
                CompletableFuture<Void> done = new CompletableFuture<>();
                last[0] = new Unsubscribe(engineOps.put(ch, done), done);
                return null;
            }
            return set.isEmpty() ? null : set;
        });
        return last[0];
    }

    /** The engine unsubscribe of {@link #removeSubscription} is over, whatever its outcome. */
    void engineUnsubscribed(String channel, CompletableFuture<Void> done) {
        engineOps.remove(channel, done);
        done.complete(null);
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
