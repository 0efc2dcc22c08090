package dev.rotor.engine.redis;

import java.util.List;
import java.util.Objects;

/**
 * Where one Redis shard lives: a direct {@code host:port}, or a Sentinel-monitored master ({@code masterName} with
 * the {@code sentinels} to ask for it). {@code password} is empty for none. Immutable.
 */
public record RedisShardConfig(String host, int port, String password, int db, String masterName,
                               List<Address> sentinels) {

    /** A Sentinel's {@code host:port}. Immutable. */
    public record Address(String host, int port) {
        public Address {
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }

    public RedisShardConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(masterName, "masterName");
        sentinels = List.copyOf(sentinels);
        if (!masterName.isEmpty() && sentinels.isEmpty()) {
            throw new IllegalArgumentException("Provide at least one Sentinel address");
        }
    }

    /** A direct shard without password on db 0. */
    public static RedisShardConfig of(String host, int port) {
        return new RedisShardConfig(host, port, "", 0, "", List.of());
    }

    public boolean sentinel() {
        return !masterName.isEmpty();
    }

    /** {@code host:port/db} as v1 logs it (Sentinel: the master name). */
    public String describe() {
        return (sentinel() ? "sentinel master " + masterName : host + ":" + port) + "/" + db;
    }
}
