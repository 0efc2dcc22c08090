/**
 * Real {@code redis-server} processes for integration tests: {@link dev.rotor.testkit.redis.RedisServer} launches
 * one on a free loopback port, {@link dev.rotor.testkit.redis.RedisExtension} owns its lifecycle per test class and
 * hands each test a unique key prefix; {@link dev.rotor.testkit.redis.RedisCluster} (with
 * {@link dev.rotor.testkit.redis.RedisClusterExtension}) builds a six-node Redis Cluster. No mocks and no containers
 * live here.
 */
package dev.rotor.testkit.redis;
