package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.ControlBus;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Method;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Control and admin messages on {@code P.control} and {@code P.admin} of shard 0 (redis-engine.md §7), received by
 * every node including the sender. Thread-safe.
 */
final class RedisControlBus implements ControlBus {
    private final RedisEngine engine;

    RedisControlBus(RedisEngine engine) {
        this.engine = engine;
    }

    /**
     * A ping goes out as v1 sends it; every other control message (API {@code unsubscribe} and {@code disconnect})
     * also goes into the control log, from which a node that missed it recovers it ({@link ControlLog}).
     */
    @Override
    public CompletionStage<Void> publishControl(ControlMessage message) {
        return publish(engine.names().control, message,
                message != null && !Method.PING.wire().equals(message.method()));
    }

    @Override
    public CompletionStage<Void> publishAdmin(ControlMessage message) {
        return publish(engine.names().admin, message, false);
    }

    private CompletionStage<Void> publish(String redisChannel, ControlMessage message, boolean logged) {
        if (message == null) {
            return CompletableFuture.failedFuture(new NullPointerException("message"));
        }
        byte[] payload;
        try {
            payload = WireCodec.encodeControl(message); // strict: an ill-formed uid or method is refused
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return engine.onFirstShard(s -> logged ? engine.controlLog().publish(s, payload)
                : s.publish(bytes(redisChannel), payload).thenApply(n -> null));
    }
}
