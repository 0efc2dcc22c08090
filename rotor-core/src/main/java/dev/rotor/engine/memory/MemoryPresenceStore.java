package dev.rotor.engine.memory;

import dev.rotor.engine.IllFormedNameException;
import dev.rotor.engine.PresenceStore;
import dev.rotor.protocol.ClientInfo;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Channel presence in process memory (memory-engine.md "Presence"): channel → (client id → info). Thread-safe.
 *
 * <p>Each channel's inner map is read and changed only inside {@link ConcurrentHashMap#compute} for its key, so
 * channels do not contend and a channel map is removed atomically when its last client leaves. Entries never
 * expire: {@code presence_expire_interval} is ignored by this engine, entries go only on remove.
 */
final class MemoryPresenceStore implements PresenceStore {
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);
    private static final CompletionStage<Map<String, ClientInfo>> EMPTY = CompletableFuture.completedStage(Map.of());

    private final ConcurrentHashMap<String, HashMap<String, ClientInfo>> channels = new ConcurrentHashMap<>();

    @Override
    public CompletionStage<Void> addPresence(String channel, String clientId, ClientInfo info, int expireSeconds) {
        if (channel == null || clientId == null || info == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel, clientId and info are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, info);
        if (bad == null) {
            bad = IllFormedNameException.check(channel, clientId);
        }
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        // expireSeconds is ignored on purpose: memory presence has no expiry (memory-engine.md "Presence").
        channels.compute(channel, (key, clients) -> {
            HashMap<String, ClientInfo> map = clients == null ? new HashMap<>() : clients;
            map.put(clientId, info);
            return map;
        });
        return DONE;
    }

    @Override
    public CompletionStage<Void> removePresence(String channel, String clientId) {
        if (channel == null || clientId == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel and clientId are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, clientId);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        channels.computeIfPresent(channel, (key, clients) -> {
            clients.remove(clientId);
            return clients.isEmpty() ? null : clients;
        });
        return DONE;
    }

    @Override
    public CompletionStage<Map<String, ClientInfo>> presence(String channel) {
        if (channel == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        Object[] copy = new Object[1];
        channels.computeIfPresent(channel, (key, clients) -> {
            copy[0] = Map.copyOf(clients);
            return clients;
        });
        @SuppressWarnings("unchecked")
        Map<String, ClientInfo> result = (Map<String, ClientInfo>) copy[0];
        return result == null ? EMPTY : CompletableFuture.completedStage(result);
    }

    /** Number of channels with at least one entry (for tests). */
    int channelCount() {
        return channels.size();
    }

    /** Drops everything (engine close). */
    void clear() {
        channels.clear();
    }
}
