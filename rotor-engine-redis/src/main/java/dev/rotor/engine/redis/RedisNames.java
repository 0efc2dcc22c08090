package dev.rotor.engine.redis;

import dev.rotor.protocol.Utf16;

/**
 * v1's key and PUB/SUB channel names for one prefix (redis-engine.md §2). Immutable.
 *
 * <p>On a Redis Cluster (beyond v1) the per-channel names carry a hash tag, so the history list, touch key, presence
 * set and hash and the sharded PUB/SUB channels of one Rotor channel all hash to one slot (the publish script
 * touches the keys and SPUBLISHes in one call): {@code P.message.{CH}}, {@code P.history.list.P.message.{CH}}, and so
 * on. A channel name that is empty or contains a closing brace cannot be its own tag; it gets the tag
 * {@code {#<FNV-1a-64 hex>}} followed by {@code ':'} and the name. On a single Redis the names stay exactly v1's, so
 * v1 and Rotor nodes can share it. Names without a channel ({@code P.control}, {@code P.api}) are single keys or
 * channels and need no tag.
 */
final class RedisNames {
    private final String prefix;
    private final boolean cluster;
    final String control;
    final String admin;
    final String ping;
    /**
     * Beyond v1: the control log, a stream of the {@code unsubscribe} and {@code disconnect} control messages
     * ({@link ControlLog}); on a cluster in the slot of {@code P.control}, which its script SPUBLISHes to.
     */
    final String controlLog;
    final String messagePrefix;
    final String joinPrefix;
    final String leavePrefix;

    RedisNames(String prefix) {
        this(prefix, false);
    }

    /** Names for {@code prefix}; with hash tags when {@code cluster} (the prefix then has no braces). */
    RedisNames(String prefix, boolean cluster) {
        this.prefix = prefix;
        this.cluster = cluster;
        this.control = prefix + ".control";
        this.admin = prefix + ".admin";
        this.ping = prefix + ".ping";
        this.controlLog = cluster ? "{" + control + "}.log" : control + ".log";
        this.messagePrefix = prefix + ".message.";
        this.joinPrefix = prefix + ".join.";
        this.leavePrefix = prefix + ".leave.";
    }

    String messageChannel(String channel) {
        return messagePrefix + tagged(channel);
    }

    String joinChannel(String channel) {
        return joinPrefix + tagged(channel);
    }

    String leaveChannel(String channel) {
        return leavePrefix + tagged(channel);
    }

    /** The channel as it follows a name's prefix: itself, or on a cluster with its hash tag. */
    String tagged(String channel) {
        if (!cluster) {
            return channel;
        }
        if (!channel.isEmpty() && channel.indexOf('}') < 0) {
            return "{" + channel + "}";
        }
        return "{#" + String.format("%016x", JumpHash.fnv1a64(channel)) + "}:" + channel;
    }

    /** The channel of what follows a name's prefix ({@link #tagged} reversed). */
    String untagged(String rest) {
        if (!cluster) {
            return rest;
        }
        int close = rest.indexOf('}');
        if (!rest.startsWith("{") || close < 0) {
            return rest; // not a name Rotor made
        }
        return close == rest.length() - 1 ? rest.substring(1, close) : rest.substring(Math.min(rest.length(),
                close + 2));
    }

    /** {@code P.history.list.P.message.CH}: the PUB/SUB channel name is embedded, as in v1. */
    String historyList(String channel) {
        return prefix + ".history.list." + messageChannel(channel);
    }

    /** Beyond v1: {@code P.history.epoch.P.message.CH}, the gap detection record beside the list (v1 ignores it). */
    String historyEpoch(String channel) {
        return prefix + ".history.epoch." + messageChannel(channel);
    }

    String historyTouch(String channel) {
        return prefix + ".history.touch." + messageChannel(channel);
    }

    String presenceSet(String channel) {
        return prefix + ".presence.set." + messageChannel(channel);
    }

    String presenceHash(String channel) {
        return prefix + ".presence.hash." + messageChannel(channel);
    }

    /** {@code P.api}, or {@code P.api.N} for a shard queue. */
    String apiQueue(int shard) {
        return shard < 0 ? prefix + ".api" : prefix + ".api." + shard;
    }

    /**
     * The UTF-8 bytes of a name; a name that is not well-formed UTF-16 throws instead of being encoded with a
     * substitute character, which would make it alias another name in Redis (the roles refuse such names before
     * they get here; this is the last line).
     *
     * @throws IllegalArgumentException for an ill-formed name
     */
    static byte[] bytes(String s) {
        return Utf16.utf8(s);
    }
}
