package dev.rotor.server.sockjs;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The SockJS sessions of one server by session id (the server id in the URL is ignored), at most {@code max} at once.
 * Any HTTP request with a new session id creates a session before the client has proved anything, and a session
 * outlives its request (for the disconnect delay at least), so without a bound one peer could grow this map as fast
 * as it sends requests (docs/security.md). Thread-safe.
 */
final class SockJsSessions {
    private final ConcurrentHashMap<String, SockJsSession> sessions = new ConcurrentHashMap<>();
    private final int max;
    /** Sessions in {@link #sessions}, counted as they are created and removed; never above {@link #max}. */
    private final AtomicInteger count = new AtomicInteger();

    /** @param max the most sessions held at once ({@code sockjs_max_sessions}, resolved); positive */
    SockJsSessions(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, got " + max);
        }
        this.max = max;
    }

    /** The live or recently closed session, or null. */
    SockJsSession get(String id) {
        return sessions.get(id);
    }

    /** A session created by this call; its creator must start it. */
    record Lookup(SockJsSession session, boolean created) {
    }

    /**
     * The session with this id, creating it on {@code loop} with {@code factory} when there is none; null when there
     * is none and {@code max} sessions are held already.
     */
    Lookup getOrCreate(String id, EventLoop loop, BiFunction<String, EventLoop, SockJsSession> factory) {
        SockJsSession[] created = new SockJsSession[1];
        SockJsSession s = sessions.computeIfAbsent(id, k -> {
            if (count.incrementAndGet() > max) {
                count.decrementAndGet();
                // no mapping is recorded for a null value
                return null;
            }
            return created[0] = factory.apply(k, loop);
        });
        return s == null ? null : new Lookup(s, created[0] != null);
    }

    /** Forgets a session, unless the id already names a newer one. */
    void remove(String id, SockJsSession session) {
        if (sessions.remove(id, session)) {
            count.decrementAndGet();
        }
    }

    int size() {
        return sessions.size();
    }
}
