package dev.rotor.engine.redis;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Configuration of the Redis engine, already validated (configuration.md §3.7, redis-engine.md §1): the one typed
 * form of the v1 {@code redis_*} keys, which {@link RedisEngineProvider#config} reads. Immutable; build with
 * {@link #builder()}.
 *
 * @param shards          one entry per shard; channels map to shards by jump consistent hash (§9)
 * @param prefix          {@code redis_prefix}, the first part of every key and PUB/SUB channel
 * @param connectTimeout  dial timeout
 * @param commandTimeout  how long one command may wait for its reply ({@code redis_read_timeout})
 * @param pubsubWorkers   threads that hand received PUB/SUB messages to the node, per-channel order kept
 * @param api             whether to consume the API queues ({@code redis_api})
 * @param apiNumShards    sharded API queues {@code P.api.0 .. P.api.(N-1)} besides {@code P.api}
 * @param waitReplicas    beyond v1, {@code redis_wait_replicas}: replicas that must have a publication with history
 *                        before it is acknowledged (WAIT; on a cluster, replicas of the channel's master); 0, the default,
 *                        acknowledges once the master has it, as v1
 * @param waitTimeout     beyond v1, {@code redis_wait_timeout}: how long that WAIT may take; shorter than
 *                        {@code commandTimeout}
 * @param cluster         the Redis Cluster to use instead of {@code shards} (beyond v1), or null for none
 * @param publishBudget   beyond v1, the bytes publications on their way to Redis may hold together
 *                        ({@link PublishBudget}); positive, by default {@link PublishBudget#defaultLimit()}
 */
public record RedisEngineConfig(List<RedisShardConfig> shards, String prefix, Duration connectTimeout,
                                Duration commandTimeout, int pubsubWorkers, boolean api, int apiNumShards,
                                int waitReplicas, Duration waitTimeout, RedisClusterConfig cluster,
                                long publishBudget) {

    public RedisEngineConfig {
        shards = List.copyOf(shards);
        if (shards.isEmpty()) {
            throw new IllegalArgumentException("at least one Redis shard is required");
        }
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        if (pubsubWorkers < 1) {
            throw new IllegalArgumentException("pubsubWorkers must be at least 1");
        }
        if (apiNumShards < 0) {
            throw new IllegalArgumentException("apiNumShards must not be negative");
        }
        if (waitReplicas < 0) {
            throw new IllegalArgumentException("redis_wait_replicas must not be negative, got " + waitReplicas);
        }
        Objects.requireNonNull(waitTimeout, "waitTimeout");
        if (waitTimeout.toMillis() < 1 || waitTimeout.compareTo(commandTimeout) >= 0) {
            throw new IllegalArgumentException("redis_wait_timeout must be at least 1 ms and shorter than "
                    + "redis_read_timeout (" + commandTimeout.toMillis() + " ms), got " + waitTimeout.toMillis()
                    + " ms");
        }
        if (publishBudget <= 0) {
            throw new IllegalArgumentException("the publication budget must be positive, got " + publishBudget);
        }
        if (cluster != null && (prefix.contains("{") || prefix.contains("}"))) {
            throw new IllegalArgumentException("redis_prefix must not contain { or } with redis_cluster_addrs: "
                    + "Rotor puts a hash tag after it");
        }
    }

    /** Whether this engine runs on a Redis Cluster. */
    public boolean clustered() {
        return cluster != null;
    }

    /** The default {@code redis_wait_timeout}: a replica on a healthy network confirms far sooner. */
    public static final Duration DEFAULT_WAIT_TIMEOUT = Duration.ofMillis(1000);

    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link RedisEngineConfig} with v1's defaults. Not thread-safe. */
    public static final class Builder {
        private List<RedisShardConfig> shards = List.of(RedisShardConfig.of("127.0.0.1", 6379));
        private String prefix = "centrifugo";
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration commandTimeout = Duration.ofSeconds(10);
        private int pubsubWorkers = Runtime.getRuntime().availableProcessors();
        private boolean api;
        private int apiNumShards;
        private int waitReplicas;
        private Duration waitTimeout = DEFAULT_WAIT_TIMEOUT;
        private RedisClusterConfig cluster;
        private long publishBudget = PublishBudget.defaultLimit();

        private Builder() {
        }

        public Builder shards(List<RedisShardConfig> value) {
            shards = value;
            return this;
        }

        public Builder shard(RedisShardConfig value) {
            shards = List.of(value);
            return this;
        }

        public Builder prefix(String value) {
            prefix = value;
            return this;
        }

        public Builder connectTimeout(Duration value) {
            connectTimeout = value;
            return this;
        }

        public Builder commandTimeout(Duration value) {
            commandTimeout = value;
            return this;
        }

        public Builder pubsubWorkers(int value) {
            pubsubWorkers = value;
            return this;
        }

        public Builder api(boolean value) {
            api = value;
            return this;
        }

        public Builder apiNumShards(int value) {
            apiNumShards = value;
            return this;
        }

        public Builder waitReplicas(int value) {
            waitReplicas = value;
            return this;
        }

        public Builder waitTimeout(Duration value) {
            waitTimeout = value;
            return this;
        }

        /** A Redis Cluster instead of the shard list; null (the default) for none. */
        public Builder cluster(RedisClusterConfig value) {
            cluster = value;
            return this;
        }

        /** The bytes publications on their way to Redis may hold together; positive. */
        public Builder publishBudget(long value) {
            publishBudget = value;
            return this;
        }

        public RedisEngineConfig build() {
            return new RedisEngineConfig(shards, prefix, connectTimeout, commandTimeout, pubsubWorkers, api,
                    apiNumShards, waitReplicas, waitTimeout, cluster, publishBudget);
        }
    }
}
