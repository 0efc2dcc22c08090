package dev.rotor.engine.redis;

import java.util.List;
import java.util.Objects;

/**
 * Where a Redis Cluster lives ({@code redis_cluster_addrs}, beyond v1): the seed nodes the client asks for the
 * topology, and the password of every node ({@code redis_password}, empty for none). The database is always 0, the
 * only one a cluster has. Immutable.
 */
public record RedisClusterConfig(List<RedisShardConfig.Address> seeds, String password) {
    public RedisClusterConfig {
        seeds = List.copyOf(seeds);
        Objects.requireNonNull(password, "password");
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("Provide at least one Redis Cluster address");
        }
    }

    /** {@code cluster host:port,host:port} for logs and health (never the password). */
    public String describe() {
        StringBuilder b = new StringBuilder("cluster ");
        for (int i = 0; i < seeds.size(); i++) {
            b.append(i == 0 ? "" : ",").append(seeds.get(i));
        }
        return b.toString();
    }
}
