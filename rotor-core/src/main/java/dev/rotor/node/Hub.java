package dev.rotor.node;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** Channel → the engine subscription in flight for it; removed when the engine answers. */
    private final ConcurrentHashMap<String, CompletableFuture<Void>> subscribing = new ConcurrentHashMap<>();

    /**
     * The outcome of {@link #addSubscription}.
     *
     * @param first       true for the node's first local subscriber of the channel: the caller subscribes the node
     *                    in the engine and reports the outcome with {@link #engineSubscribed}
     * @param engineReady completes when the engine subscription of the channel is confirmed (fails when it failed);
     *                    null when it was confirmed before this subscriber came
     */
    record Added(boolean first, CompletableFuture<Void> engineReady) {
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
                added[0] = new Added(true, ready);
            } else {
                added[0] = new Added(false, subscribing.get(ch));
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
        subscribing.remove(channel, ready);
        if (error == null) {
            ready.complete(null);
        } else {
            ready.completeExceptionally(error);
        }
    }

    /**
     * Removes a subscription.
     *
     * @return true when the node has no local subscriber of the channel left (and had this one)
     */
    boolean removeSubscription(String channel, ClientSession session) {
        AtomicBoolean last = new AtomicBoolean();
        channels.computeIfPresent(channel, (ch, set) -> {
            if (set.remove(session) && set.isEmpty()) {
                last.set(true);
                return null;
            }
            return set.isEmpty() ? null : set;
        });
        return last.get();
    }

    /** The live set of subscribers (weakly consistent view; do not modify). Empty when none. */
    Set<ClientSession> subscribers(String channel) {
        Set<ClientSession> set = channels.get(channel);
        return set == null ? Collections.emptySet() : set;
    }

    boolean hasSubscribers(String channel) {
        return channels.containsKey(channel);
    }

    void addUser(ClientSession session) {
        addUser(session, 0);
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

    void removeUser(ClientSession session) {
        users.computeIfPresent(session.user(), (u, held) -> {
            if (held instanceof ClientSession only) {
                return only == session ? null : held;
            }
            Set<ClientSession> set = sessions(held);
            set.remove(session);
            // a set stays a set until empty: a user whose next connection arrives before the last one has gone (a
            // reconnect, a page reload) would otherwise get a new set each time
            return set.isEmpty() ? null : set;
        });
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
