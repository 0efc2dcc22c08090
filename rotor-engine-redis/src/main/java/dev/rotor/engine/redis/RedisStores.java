package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.IllFormedNameException;
import dev.rotor.engine.PresenceStore;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Presence (a ZSET of expiry times plus a HASH of encoded client infos) and history (a LIST, newest first) in Redis,
 * with v1's scripts and keys (redis-engine.md §6). Thread-safe.
 */
final class RedisStores implements PresenceStore, HistoryStore {
    private final RedisEngine engine;

    RedisStores(RedisEngine engine) {
        this.engine = engine;
    }

    private byte[][] presenceKeys(String channel) {
        RedisNames n = engine.names();
        return new byte[][] {bytes(n.presenceSet(channel)), bytes(n.presenceHash(channel))};
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    @Override
    public CompletionStage<Void> addPresence(String channel, String clientId, ClientInfo info, int expireSeconds) {
        if (channel == null || clientId == null || info == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel, clientId and info are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, info);
        if (bad == null) {
            bad = IllFormedNameException.check(channel, clientId);
        }
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[][] keys = presenceKeys(channel);
        byte[] encoded = WireCodec.encodeClientInfo(info);
        return engine.onShard(channel, s -> s.<Object>script(Scripts.ADD_PRESENCE, ScriptOutputType.STATUS, keys,
                bytes(Integer.toString(expireSeconds)), bytes(Long.toString(nowSeconds() + expireSeconds)),
                bytes(clientId), encoded).thenApply(v -> null));
    }

    @Override
    public CompletionStage<Void> removePresence(String channel, String clientId) {
        if (channel == null || clientId == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel and clientId are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, clientId);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[][] keys = presenceKeys(channel);
        return engine.onShard(channel, s -> s.<Object>script(Scripts.REMOVE_PRESENCE, ScriptOutputType.STATUS, keys,
                bytes(clientId)).thenApply(v -> null));
    }

    @Override
    public CompletionStage<Map<String, ClientInfo>> presence(String channel) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[][] keys = presenceKeys(channel);
        return engine.onShard(channel, s -> s.<List<Object>>script(Scripts.PRESENCE, ScriptOutputType.MULTI, keys,
                bytes(Long.toString(nowSeconds()))).thenApply(RedisStores::decodePresence));
    }

    private static Map<String, ClientInfo> decodePresence(List<Object> flat) {
        Map<String, ClientInfo> out = new LinkedHashMap<>();
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            String clientId = new String((byte[]) flat.get(i), StandardCharsets.UTF_8);
            out.put(clientId, WireCodec.decodeClientInfo((byte[]) flat.get(i + 1)));
        }
        return out;
    }

    @Override
    public CompletionStage<List<Message>> history(String channel) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[] key = bytes(engine.names().historyList(channel));
        return engine.onShard(channel, s -> s.async().lrange(key, 0, -1).thenApply(list -> {
            List<Message> out = new ArrayList<>(list.size());
            for (byte[] b : list) {
                out.add(WireCodec.decodeMessage(b));
            }
            return out;
        }));
    }

    @Override
    public CompletionStage<String> lastMessageId(String channel) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[] key = bytes(engine.names().historyList(channel));
        return engine.onShard(channel, s -> s.async().lrange(key, 0, 0)
                .thenApply(list -> list.isEmpty() ? "" : WireCodec.decodeMessage(list.get(0)).uid()));
    }
}
