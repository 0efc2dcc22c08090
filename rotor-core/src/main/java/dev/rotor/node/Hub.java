package dev.rotor.node;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

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
    private final ConcurrentHashMap<String, Set<ClientSession>> users = new ConcurrentHashMap<>();
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
                set = ConcurrentHashMap.newKeySet();
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
        users.computeIfAbsent(session.user(), u -> ConcurrentHashMap.newKeySet()).add(session);
    }

    void removeUser(ClientSession session) {
        users.computeIfPresent(session.user(), (u, set) -> {
            set.remove(session);
            return set.isEmpty() ? null : set;
        });
    }

    /** Authenticated sessions of a user on this node (a snapshot-safe live view). */
    Set<ClientSession> userSessions(String user) {
        Set<ClientSession> set = users.get(user);
        return set == null ? Collections.emptySet() : set;
    }

    int userConnectionCount(String user) {
        return userSessions(user).size();
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
        for (Set<ClientSession> set : users.values()) {
            n += set.size();
        }
        return n;
    }

    /** Every authenticated session, for shutdown and periodic work. */
    Iterable<ClientSession> allSessions() {
        return () -> users.values().stream().flatMap(Set::stream).iterator();
    }
}
