package dev.rotor.engine.redis;

import java.nio.charset.StandardCharsets;

/** Channel-to-shard mapping of v1 (redis-engine.md §9): jump consistent hash of FNV-1a 64. Stateless. */
final class JumpHash {
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private JumpHash() {
    }

    /** FNV-1a 64-bit hash of the UTF-8 bytes of {@code s}. */
    static long fnv1a64(String s) {
        long h = FNV_OFFSET;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }

    /** The bucket in {@code [0, buckets)} of {@code key} (Lamping and Veach, as in v1's Go code). */
    static int bucket(long key, int buckets) {
        long b = -1;
        long j = 0;
        while (j < buckets) {
            b = j;
            key = key * 2862933555777941757L + 1;
            j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
        }
        return (int) b;
    }

    /** The shard index of a channel name (the raw name, namespace and {@code $} included). */
    static int shardOf(String channel, int shards) {
        return shards == 1 ? 0 : bucket(fnv1a64(channel), shards);
    }
}
