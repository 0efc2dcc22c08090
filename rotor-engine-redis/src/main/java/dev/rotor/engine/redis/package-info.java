/**
 * The Redis engine ({@code engine: redis}, redis-engine.md): v1's key and channel names, its protobuf wire encoding
 * and its Lua scripts, over Lettuce, so Rotor and v1 nodes can share one Redis. {@link
 * dev.rotor.engine.redis.RedisEngine} is the entry point and {@link dev.rotor.engine.redis.RedisEngineConfig} its
 * immutable configuration; everything else is package-private. No server (Netty adapter) types live here.
 */
package dev.rotor.engine.redis;
