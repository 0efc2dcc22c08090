package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** v1's names on a single Redis, hash-tagged names on a Redis Cluster. */
class RedisNamesTest {
    private final RedisNames single = new RedisNames("centrifugo");
    private final RedisNames cluster = new RedisNames("centrifugo", true);

    @Test
    void onASingleRedisTheNamesStayV1s() {
        assertThat(single.historyList("news")).isEqualTo("centrifugo.history.list.centrifugo.message.news");
        assertThat(single.messageChannel("a}b")).isEqualTo("centrifugo.message.a}b");
        assertThat(single.untagged("news")).isEqualTo("news");
    }

    @Test
    void onAClusterAChannelIsItsOwnHashTag() {
        assertThat(cluster.messageChannel("news")).isEqualTo("centrifugo.message.{news}");
        assertThat(cluster.historyList("news")).isEqualTo("centrifugo.history.list.centrifugo.message.{news}");
        assertThat(cluster.presenceHash("news")).isEqualTo("centrifugo.presence.hash.centrifugo.message.{news}");
        assertThat(cluster.control).isEqualTo("centrifugo.control");
        assertThat(cluster.apiQueue(1)).isEqualTo("centrifugo.api.1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"news", "", "}", "a}b", "{x}", "#0123456789abcdef", "$private:ch#42", "{", "x{y"})
    void everyNameOfAChannelHashesToOneSlotAndTheChannelComesBack(String channel) {
        List<String> names = List.of(cluster.messageChannel(channel), cluster.joinChannel(channel),
                cluster.leaveChannel(channel), cluster.historyList(channel), cluster.historyTouch(channel),
                cluster.presenceSet(channel), cluster.presenceHash(channel));
        int slot = slot(names.get(0));
        assertThat(names).allSatisfy(n -> assertThat(slot(n)).as(n).isEqualTo(slot));
        assertThat(cluster.untagged(cluster.messageChannel(channel).substring(cluster.messagePrefix.length())))
                .isEqualTo(channel);
    }

    @Test
    void channelsThatCannotBeTheirOwnTagStillSpreadOverSlots() {
        assertThat(cluster.messageChannel("a}b")).matches("centrifugo\\.message\\.\\{#[0-9a-f]{16}\\}:a\\}b");
        assertThat(slot(cluster.messageChannel("a}b"))).isNotEqualTo(slot(cluster.messageChannel("a}c")));
    }

    @Test
    void onAClusterThePublishScriptSpublishesAndCountsShardSubscribers() {
        String source = new String(Scripts.PUBLISH_WITH_HISTORY.text(true).source(),
                StandardCharsets.UTF_8);

        assertThat(source).contains("redis.call(\"spublish\"").doesNotContain("redis.call(\"publish\"")
                .contains("redis.call(\"pubsub\", \"shardnumsub\"").doesNotContain("\"numsub\"");
    }

    private static int slot(String name) {
        return SlotHash.getSlot(name.getBytes(StandardCharsets.UTF_8));
    }
}
