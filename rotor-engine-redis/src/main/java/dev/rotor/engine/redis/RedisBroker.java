package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.Broker;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.IllFormedNameException;
import dev.rotor.engine.MessageSizes;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.ScriptOutputType;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Publications over Redis PUB/SUB (redis-engine.md §4, §5): {@code PUBLISH P.message.CH}, or the publish-with-history
 * script when the channel keeps history; joins and leaves on {@code P.join.CH} / {@code P.leave.CH}. All commands of
 * a shard go through its one command connection, so Redis runs them in call order. Thread-safe.
 */
final class RedisBroker implements Broker {
    private static final byte[] ONE = bytes("1");
    private static final byte[] ZERO = bytes("0");
    private static final byte[] EMPTY = new byte[0];

    private final RedisEngine engine;

    RedisBroker(RedisEngine engine) {
        this.engine = engine;
    }

    @Override
    public CompletionStage<Void> publish(Message message, HistoryOptions history) {
        if (message == null || history == null) {
            return CompletableFuture.failedFuture(new NullPointerException("message and history are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(message);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        // the channel's name is in the payload, the PUB/SUB channel and up to three keys, two bytes a character
        long cost = PublishBudget.OVERHEAD + MessageSizes.bytes(message) + 8L * message.channel().length();
        return engine.publishBudget().run(cost, () -> publishNow(message, history));
    }

    /** The publication's commands, once admitted by the budget: its payload is encoded only now. */
    private CompletionStage<Void> publishNow(Message message, HistoryOptions history) {
        byte[] redisChannel = bytes(engine.names().messageChannel(message.channel()));
        return engine.onShard(message.channel(), s -> s.answering(redisChannel)
                ? publishOn(s, message, history, redisChannel)
                : CompletableFuture.failedFuture(new RedisConnectionException("Redis " + s.describe()
                        + " does not answer (no reply to a PING for redis_read_timeout): the publication is refused"
                        + " rather than queued behind the ones waiting")));
    }

    private CompletionStage<Void> publishOn(RedisBackend s, Message message, HistoryOptions history,
            byte[] redisChannel) {
        RedisNames n = engine.names();
        String ch = message.channel();
        byte[] payload = WireCodec.encodeMessage(message);
        if (!history.enabled()) {
            return s.publish(redisChannel, payload).thenApply(count -> null);
        }
        byte[][] keys = {bytes(n.historyList(ch)), bytes(n.historyTouch(ch)), bytes(n.historyEpoch(ch))};
        // the arguments name the writer's run id, so they are built for the connection each attempt is given
        return s.onMaster(keys[0], m -> {
            ReplicaWait durable = m.replicaWait();
            if (durable != null) {
                return durable.publish(Scripts.PUBLISH_WITH_HISTORY, keys, historyArgs(redisChannel, payload,
                        history, message, durable.identity()));
            }
            return m.<Long>script(Scripts.PUBLISH_WITH_HISTORY, ScriptOutputType.INTEGER, keys,
                    historyArgs(redisChannel, payload, history, message, m.identity())).thenApply(count -> null);
        });
    }

    /**
     * The publish script's arguments, with the run id of the server the connection it is sent on talks to: {@code ""}
     * while unknown, which recovery never trusts.
     */
    private byte[][] historyArgs(byte[] redisChannel, byte[] payload, HistoryOptions history, Message message,
            ServerIdentity writer) {
        return new byte[][] {redisChannel, payload,
            bytes(Integer.toString(history.size())), bytes(Integer.toString(history.lifetime())),
            history.dropInactive() ? ONE : ZERO, bytes(writer.current().runIdOrEmpty()), bytes(message.uid())};
    }

    @Override
    public CompletionStage<Void> publishJoin(String channel, ClientInfo info) {
        return publishJoinLeave(channel, info, true);
    }

    @Override
    public CompletionStage<Void> publishLeave(String channel, ClientInfo info) {
        return publishJoinLeave(channel, info, false);
    }

    private CompletionStage<Void> publishJoinLeave(String channel, ClientInfo info, boolean join) {
        if (channel == null || info == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel and info are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, info);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        byte[] payload = WireCodec.encodeJoinLeave(channel, info);
        RedisNames n = engine.names();
        byte[] redisChannel = bytes(join ? n.joinChannel(channel) : n.leaveChannel(channel));
        return engine.onShard(channel, s -> s.publish(redisChannel, payload).thenApply(count -> null));
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
        if (channel == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        return engine.onShard(channel, s -> s.subscribe(channel, redisChannels(channel)));
    }

    @Override
    public CompletionStage<Void> unsubscribe(String channel, HistoryOptions history) {
        if (channel == null || history == null) {
            return CompletableFuture.failedFuture(new NullPointerException("channel and history are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedFuture(bad);
        }
        if (!history.dropInactive() || !history.enabled()) {
            return engine.onShard(channel, s -> s.unsubscribe(channel, redisChannels(channel)));
        }
        // v1 compat: the touch key is set before UNSUBSCRIBE (v1 sets it after): a publish racing with the last subscriber
        // leaving then either reaches this node or finds the window open, and is never dropped in between.
        byte[] touch = bytes(engine.names().historyTouch(channel));
        return engine.onShard(channel, s -> s.async().setex(touch, history.lifetime(), EMPTY)
                .thenCompose(ok -> s.unsubscribe(channel, redisChannels(channel))));
    }

    private byte[][] redisChannels(String channel) {
        RedisNames n = engine.names();
        return new byte[][] {bytes(n.joinChannel(channel)), bytes(n.leaveChannel(channel)),
            bytes(n.messageChannel(channel))};
    }

    /** {@code PUBSUB CHANNELS P.message.*} on every shard, prefix stripped, deduplicated (§6, §9). */
    @Override
    public CompletionStage<List<String>> channels() {
        List<RedisBackend> shards = engine.shards();
        if (shards.isEmpty()) {
            return RedisEngine.notRunning();
        }
        String prefix = engine.names().messagePrefix;
        byte[] pattern = bytes(globEscape(prefix) + "*");
        CompletableFuture<Set<String>> all = CompletableFuture.completedFuture(new LinkedHashSet<>());
        for (RedisBackend s : shards) {
            CompletableFuture<List<byte[]>> one = s.pubsubChannels(pattern).toCompletableFuture();
            all = all.thenCombine(one, (acc, list) -> {
                for (byte[] b : list) {
                    String name = new String(b, java.nio.charset.StandardCharsets.UTF_8);
                    if (name.startsWith(prefix)) {
                        acc.add(engine.names().untagged(name.substring(prefix.length())));
                    }
                }
                return acc;
            });
        }
        return all.thenApply(ArrayList::new);
    }

    /** Escapes glob characters of the prefix so {@code PUBSUB CHANNELS} matches it literally. */
    private static String globEscape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }
}
