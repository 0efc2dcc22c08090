/**
 * The Redis engine ({@code engine: redis}, redis-engine.md): v1's key and channel names, its protobuf wire encoding
 * and its Lua scripts, over Lettuce, so Rotor and v1 nodes can share one Redis. {@link
 * dev.rotor.engine.redis.RedisEngineProvider} is the entry point the server's engine table uses: it reads the v1
 * {@code redis_*} keys, validates them with v1's messages and creates the {@link dev.rotor.engine.redis.RedisEngine};
 * {@link dev.rotor.engine.redis.RedisEngineConfig} (with one {@link dev.rotor.engine.redis.RedisShardConfig} per
 * shard) is its one immutable, typed configuration. Everything else is package-private. No server (Netty adapter)
 * types and no config parser live here.
 */
package dev.rotor.engine.redis;
