package dev.rotor.config;

import java.util.List;
import java.util.Objects;

/**
 * Connection settings of one Redis shard after the comma lists and {@code redis_url} were resolved
 * (redis-engine.md §1.1). {@code db} is a decimal number as a string ({@code "0"} when unset); {@code masterName}
 * is empty unless Sentinel is used, and then {@code sentinels} holds {@code host:port} addresses shared by all
 * shards. Immutable.
 */
public record RedisShard(String host, String port, String password, String db, String masterName,
                         List<String> sentinels) {

    public RedisShard {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(masterName, "masterName");
        sentinels = List.copyOf(sentinels);
    }

    /** True when the master is discovered through Sentinel. */
    public boolean sentinel() {
        return !masterName.isEmpty();
    }
}
