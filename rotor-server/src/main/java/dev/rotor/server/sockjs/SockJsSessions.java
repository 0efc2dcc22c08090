package dev.rotor.server.sockjs;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;

/** The SockJS sessions of one server by session id (the server id in the URL is ignored). Thread-safe. */
final class SockJsSessions {
    private final ConcurrentHashMap<String, SockJsSession> sessions = new ConcurrentHashMap<>();

    /** The live or recently closed session, or null. */
    SockJsSession get(String id) {
        return sessions.get(id);
    }

    /** A session created by this call; its creator must start it. */
    record Lookup(SockJsSession session, boolean created) {
    }

    /** The session with this id, creating it on {@code loop} with {@code factory} when there is none. */
    Lookup getOrCreate(String id, EventLoop loop, BiFunction<String, EventLoop, SockJsSession> factory) {
        SockJsSession[] created = new SockJsSession[1];
        SockJsSession s = sessions.computeIfAbsent(id, k -> created[0] = factory.apply(k, loop));
        return new Lookup(s, created[0] != null);
    }

    /** Forgets a session, unless the id already names a newer one. */
    void remove(String id, SockJsSession session) {
        sessions.remove(id, session);
    }

    int size() {
        return sessions.size();
    }
}
