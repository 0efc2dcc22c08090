package dev.rotor.engine.redis;

import dev.rotor.protocol.Utf16;

/** v1's key and PUB/SUB channel names for one prefix (redis-engine.md §2). Immutable. */
final class RedisNames {
    private final String prefix;
    final String control;
    final String admin;
    final String ping;
    final String messagePrefix;
    final String joinPrefix;
    final String leavePrefix;

    RedisNames(String prefix) {
        this.prefix = prefix;
        this.control = prefix + ".control";
        this.admin = prefix + ".admin";
        this.ping = prefix + ".ping";
        this.messagePrefix = prefix + ".message.";
        this.joinPrefix = prefix + ".join.";
        this.leavePrefix = prefix + ".leave.";
    }

    String messageChannel(String channel) {
        return messagePrefix + channel;
    }

    String joinChannel(String channel) {
        return joinPrefix + channel;
    }

    String leaveChannel(String channel) {
        return leavePrefix + channel;
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
