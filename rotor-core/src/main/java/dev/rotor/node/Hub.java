package dev.rotor.node;

import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's registry of local connections: channel → subscribed sessions, user → authenticated sessions.
 * Thread-safe and lock-free for readers: fan-out iterates a concurrent set while subscribes and unsubscribes on
 * other channels proceed without contention (the per-channel sets are independent). Internal to the node: other
 * packages go through {@link Node}.
 */
final class Hub {
    private final ConcurrentHashMap<String, Set<ClientSession>> channels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<ClientSession>> users = new ConcurrentHashMap<>();

    /**
     * Adds a subscription.
     *
     * @return true when this is the node's first local subscriber of the channel
     */
    boolean addSubscription(String channel, ClientSession session) {
        AtomicBoolean first = new AtomicBoolean();
        channels.compute(channel, (ch, set) -> {
            if (set == null) {
                set = ConcurrentHashMap.newKeySet();
                first.set(true);
            }
            set.add(session);
            return set;
        });
        return first.get();
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
