package dev.rotor.engine.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;

/**
 * The Lettuce client options every Redis connection of the engine shares, on a single Redis, behind Sentinel and
 * on a cluster: what differs per connection (reconnecting or not, its timeouts, its protocol, a cluster's topology
 * refresh) is passed in or set after. Stateless.
 */
final class LettuceOptions {
    private LettuceOptions() {
    }

    /**
     * Sets on {@code builder} (a {@link ClientOptions} builder or a cluster's) the shared options, and returns it:
     * {@code autoReconnect}, failing commands fast while disconnected, {@code redis_connect_timeout} with TCP
     * keepalive, and {@code timeouts}.
     */
    static <B extends ClientOptions.Builder> B shared(B builder, RedisEngineConfig engineConfig,
            boolean autoReconnect, TimeoutOptions timeouts) {
        builder.autoReconnect(autoReconnect)
                // v1 compat: fail fast while disconnected; v1 queued commands without a timeout (docs/scaling.md).
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(engineConfig.connectTimeout())
                        .keepAlive(true).build())
                .timeoutOptions(timeouts);
        return builder;
    }
}
