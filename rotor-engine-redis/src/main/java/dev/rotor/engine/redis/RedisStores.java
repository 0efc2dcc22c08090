package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.HistorySnapshot;
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
    public CompletionStage<List<Message>> history(String channel, int limit) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[] key = bytes(engine.names().historyList(channel));
        return engine.onShard(channel, s -> s.async().lrange(key, 0, lastIndex(limit)).thenApply(list -> {
            List<Message> out = new ArrayList<>(list.size());
            for (byte[] b : list) {
                out.add(WireCodec.decodeMessage(b));
            }
            return out;
        }));
    }

    /**
     * The index of the last entry a read of at most {@code limit} entries asks LRANGE for: {@code -1}, the end, for
     * the whole list. Bounded by the channel's {@code history_size}, a read holds no more than this node would have
     * stored even when the list is longer: written by a node with a larger size, by v1 (which keeps one entry more),
     * or by anyone else with access to Redis (docs/scaling.md, "What lives in Redis").
     */
    static long lastIndex(int limit) {
        return limit == Integer.MAX_VALUE ? -1 : Math.max(limit, 1) - 1L;
    }

    /**
     * The history with the epoch record beside it, read in one script; how far back it is unbroken follows from
     * {@link #unbrokenThrough} (docs/scaling.md "Gap detection").
     */
    @Override
    public CompletionStage<HistorySnapshot> historyForRecovery(String channel, int limit) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        RedisNames n = engine.names();
        byte[][] keys = {bytes(n.historyList(channel)), bytes(n.historyEpoch(channel))};
        return engine.onShard(channel, s -> s.onMaster(keys[0], m -> {
            ServerIdentity.Generation g = m.identity().current();
            return m.<List<Object>>script(Scripts.HISTORY_FOR_RECOVERY, ScriptOutputType.MULTI, keys,
                    bytes(Long.toString(lastIndex(limit))))
                    .thenApply(reply -> {
                        @SuppressWarnings("unchecked")
                        List<byte[]> raw = (List<byte[]>) (List<?>) reply.get(0);
                        List<Message> messages = new ArrayList<>(raw.size());
                        for (byte[] b : raw) {
                            messages.add(WireCodec.decodeMessage(b));
                        }
                        String runId = m.identity().still(g) ? g.runId() : null;
                        return new HistorySnapshot(messages, unbrokenThrough(messages, text(reply.get(1)),
                                text(reply.get(2)), text(reply.get(3)), runId));
                    });
        }));
    }

    private static String text(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : null;
    }

    /**
     * How far back a history read from the master with run id {@code runId} (null when unknown, or when the
     * connection changed while reading) is unbroken, given its epoch record:
     * <ul>
     * <li>no record, or a newest message that is not the record's {@code head}: a writer that keeps no record (a v1
     * node, or history from before Rotor) wrote last; recovery follows v1's rule and trusts the whole history;
     * <li>a record written under another master, or an unknown master: the master changed after the last write, and
     * the old one may have acknowledged publications it never replicated: nothing is vouched for ({@code -1});
     * <li>otherwise the messages from the newest back to {@code since}, the first one the current master wrote (all
     * of them when {@code since} was trimmed away).
     * </ul>
     */
    // v1 compat: v1 nodes sharing the Redis do not write the epoch record; see docs/scaling.md "Gap detection".
    static int unbrokenThrough(List<Message> messages, String epoch, String since, String head, String runId) {
        int all = messages.size() - 1;
        if (messages.isEmpty() || epoch == null || !messages.get(0).uid().equals(head)) {
            return all;
        }
        if (runId == null || !runId.equals(epoch)) {
            return -1;
        }
        for (int i = 0; i < messages.size(); i++) {
            if (messages.get(i).uid().equals(since)) {
                return i;
            }
        }
        return all;
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
