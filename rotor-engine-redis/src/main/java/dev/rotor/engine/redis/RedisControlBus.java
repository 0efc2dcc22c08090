package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.ControlBus;
import dev.rotor.protocol.ControlMessage;
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

    @Override
    public CompletionStage<Void> publishControl(ControlMessage message) {
        return publish(engine.names().control, message);
    }

    @Override
    public CompletionStage<Void> publishAdmin(ControlMessage message) {
        return publish(engine.names().admin, message);
    }

    private CompletionStage<Void> publish(String redisChannel, ControlMessage message) {
        if (message == null) {
            return CompletableFuture.failedFuture(new NullPointerException("message"));
        }
        byte[] payload;
        try {
            payload = WireCodec.encodeControl(message); // strict: an ill-formed uid or method is refused
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return engine.onFirstShard(s -> s.publish(bytes(redisChannel), payload).thenApply(n -> null));
    }
}
