package dev.rotor.engine.redis;

import java.nio.charset.StandardCharsets;

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

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
