package dev.rotor.engine.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The Lua scripts of v1's Redis engine (redis-engine.md §4.2, §6, §8), with their SHA-1 for EVALSHA. Immutable. */
enum Scripts {
    /**
     * KEYS = [history list, history touch, history epoch], ARGV = [PUB/SUB channel, payload, history_size,
     * history_lifetime, drop_inactive, master run id, message uid]; returns the number of Redis subscribers that
     * received the message. Beyond v1, the epoch hash (see {@link #HISTORY_FOR_RECOVERY}) records the run id of the
     * master that wrote, the uid of the first message that master wrote ({@code since}) and of the newest
     * ({@code head}); it expires with the list. The first five arguments and the list are v1's.
     */
    // v1 compat: v1 trims with LTRIM 0 history_size and so keeps history_size + 1 entries; Rotor keeps exactly
    // history_size (LTRIM 0 history_size-1), as the option says and as the memory engine does. The arguments are
    // the same as v1's, so both can share one Redis.
    // v1 compat: v1 publishes first and then writes the history, and decides history_drop_inactive by PUBLISH's
    // count. A Redis at maxmemory (noeviction) then refused the history write after the message had gone out:
    // subscribers had it, history did not, and the publisher was told it failed (and would publish it again).
    // Rotor writes the history first, which Redis refuses before anything happened, and asks PUBSUB NUMSUB for the
    // same count (no node subscribes by pattern). The script is atomic, so nobody sees the order.
    PUBLISH_WITH_HISTORY("""
            local m = 0
            if ARGV[5] == "1" and redis.call("exists", KEYS[2]) == 0
                and redis.call("pubsub", "numsub", ARGV[1])[2] == 0 then
              m = redis.call("lpushx", KEYS[1], ARGV[2])
            else
              m = redis.call("lpush", KEYS[1], ARGV[2])
            end
            if m > 0 then
              redis.call("ltrim", KEYS[1], 0, tonumber(ARGV[3]) - 1)
              redis.call("expire", KEYS[1], ARGV[4])
              if redis.call("hget", KEYS[3], "epoch") == ARGV[6] then
                redis.call("hset", KEYS[3], "head", ARGV[7])
              else
                redis.call("hset", KEYS[3], "epoch", ARGV[6], "since", ARGV[7], "head", ARGV[7])
              end
              redis.call("expire", KEYS[3], ARGV[4])
            end
            return redis.call("publish", ARGV[1], ARGV[2])
            """),
    /**
     * KEYS = [history list, history epoch], ARGV = [index of the last entry to read, -1 for all]; returns [the list up
     * to that entry, newest first; the epoch's run id, since and head (each false when absent)], read atomically
     * (docs/scaling.md "Gap detection").
     */
    HISTORY_FOR_RECOVERY("""
            local e = redis.call("hmget", KEYS[2], "epoch", "since", "head")
            return {redis.call("lrange", KEYS[1], 0, tonumber(ARGV[1])), e[1], e[2], e[3]}
            """),
    /** KEYS = [presence set, presence hash], ARGV = [expire seconds, expire at (unix), client id, ClientInfo]. */
    ADD_PRESENCE("""
            redis.call("zadd", KEYS[1], ARGV[2], ARGV[3])
            redis.call("hset", KEYS[2], ARGV[3], ARGV[4])
            redis.call("expire", KEYS[1], ARGV[1])
            redis.call("expire", KEYS[2], ARGV[1])
            """),
    /** KEYS = [presence set, presence hash], ARGV = [client id]. */
    REMOVE_PRESENCE("""
            redis.call("hdel", KEYS[2], ARGV[1])
            redis.call("zrem", KEYS[1], ARGV[1])
            """),
    /** KEYS = [presence set, presence hash], ARGV = [now (unix)]; drops expired entries, returns HGETALL. */
    PRESENCE("""
            local expired = redis.call("zrangebyscore", KEYS[1], "0", ARGV[1])
            if #expired > 0 then
              for num = 1, #expired do
                redis.call("hdel", KEYS[2], expired[num])
              end
              redis.call("zremrangebyscore", KEYS[1], "0", ARGV[1])
            end
            return redis.call("hgetall", KEYS[2])
            """),
    /**
     * Beyond v1: KEYS = [control log], ARGV = [PUB/SUB channel, control message, the log's length]; appends the
     * message to the control log (a stream, trimmed to about that length) and publishes it with its entry's id added
     * as field 4 (tag byte 34: field 4, length-delimited; an id is at most 41 bytes, so its length is one byte).
     * Returns the id. Where the log cannot be written (a Redis at {@code maxmemory}, or before 5.0, without streams)
     * the message is published as it is, as v1 publishes it, and false is returned (docs/scaling.md "Control
     * messages"). The stream and the append keep the publication order: a node reads the log in the order it
     * received the messages.
     */
    CONTROL_LOG_PUBLISH("""
            local ok, id = pcall(redis.call, "xadd", KEYS[1], "MAXLEN", "~", ARGV[3], "*", "m", ARGV[2])
            if ok then
              redis.call("publish", ARGV[1], ARGV[2] .. string.char(34, #id) .. id)
              return id
            end
            redis.call("publish", ARGV[1], ARGV[2])
            return false
            """),
    /**
     * Beyond v1: KEYS = [control log], ARGV = [first id to read, at most how many]; returns [the log's first id or
     * false, its last id or false, the entries from that id on as [id, [field, message]]].
     */
    CONTROL_LOG_READ("""
            local first = redis.call("xrange", KEYS[1], "-", "+", "COUNT", 1)
            local last = redis.call("xrevrange", KEYS[1], "+", "-", "COUNT", 1)
            return {first[1] and first[1][1] or false, last[1] and last[1][1] or false,
              redis.call("xrange", KEYS[1], ARGV[1], "+", "COUNT", ARGV[2])}
            """),
    /**
     * KEYS = [queue], ARGV = [65, the longest entry, the batch's bytes]: pops up to 65 entries in order (the API
     * queue's batch mode), and stops before an entry that would take the batch past its bytes (the first always
     * fits). An entry longer than the longest is popped and answered by its length, an integer, in its place. As
     * v1's, one LRANGE and one LTRIM: Redis's work per entry stays v1's (popping them one by one cost Redis six
     * times the CPU).
     */
    // v1 compat: v1 returned the first 65 entries whatever their size: whoever wrote to the queue could make a node
    // hold 65 entries of up to 512 MB each (Redis's proto-max-bulk-len) at once.
    API_BATCH("""
            local entries = redis.call("lrange", KEYS[1], "0", tonumber(ARGV[1]) - 1)
            local longest = tonumber(ARGV[2])
            local budget = tonumber(ARGV[3])
            local bytes = 0
            local take = #entries
            local out = entries
            for i = 1, #entries do
              local n = #entries[i]
              if n > longest then
                if out == entries then
                  out = {unpack(entries, 1, i - 1)}
                end
                out[i] = n
              elseif i > 1 and bytes + n > budget then
                take = i - 1
                break
              else
                if out ~= entries then
                  out[i] = entries[i]
                end
                bytes = bytes + n
              end
            end
            if take > 0 then
              redis.call("ltrim", KEYS[1], take, -1)
            end
            if take < #entries then
              return {unpack(out, 1, take)}
            end
            return out
            """);

    final byte[] source;
    final String sha;
    /** The script as it runs on a Redis Cluster (see {@link #clusterText}). */
    private final Text cluster;

    Scripts(String source) {
        this.source = source.getBytes(StandardCharsets.UTF_8);
        this.sha = sha1(this.source);
        // Sharded PUB/SUB: a script may SPUBLISH to a channel of the slot of its keys (same hash tag, RedisNames), and
        // count its subscribers with PUBSUB SHARDNUMSUB.
        byte[] sharded = source.replace("redis.call(\"publish\"", "redis.call(\"spublish\"")
                .replace("redis.call(\"pubsub\", \"numsub\"", "redis.call(\"pubsub\", \"shardnumsub\"")
                .getBytes(StandardCharsets.UTF_8);
        this.cluster = new Text(sharded, sha1(sharded));
    }

    /** The source of a script as sent to Redis and its SHA-1 for EVALSHA. Immutable. */
    record Text(byte[] source, String sha) {
    }

    /** v1's script on a single Redis; on a Redis Cluster the same with {@code publish} calls made {@code spublish}. */
    Text text(boolean clustered) {
        return clustered ? cluster : new Text(source, sha);
    }

    private static String sha1(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is a required JDK algorithm", e);
        }
    }
}
