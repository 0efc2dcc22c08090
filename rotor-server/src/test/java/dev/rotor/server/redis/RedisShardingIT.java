package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static dev.rotor.server.redis.RedisNodes.subscribe;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.server.redis.RedisNodes.Client;
import dev.rotor.testkit.redis.RedisExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two Redis shards ({@code redis_port} as a comma list, redis-engine.md §9): each channel's history, presence and
 * PUB/SUB live on the shard jump consistent hash picks ({@code a→1, b→0, e→1, news→1, c→0} for two shards), and
 * two nodes still exchange everything.
 */
class RedisShardingIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final ChannelOptions ALL = ChannelOptions.builder().publish(true).presence(true)
            .historySize(5).historyLifetime(60).build();

    private RedisServer second;
    private RedisNodes nodes;

    @BeforeEach
    void setUp() {
        second = RedisServer.start();
        nodes = new RedisNodes(redis);
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
        second.close();
    }

    private Map<String, Object> twoShards() {
        return nodes.settings("127.0.0.1", redis.server().port() + "," + second.port(), false, 0);
    }

    private String historyKey(String channel) {
        return redis.prefix() + ".history.list." + redis.prefix() + ".message." + channel;
    }

    private static boolean exists(RedisServer server, String key) {
        return server.command("EXISTS", key).startsWith(":1");
    }

    @Test
    void channelsLandOnTheirShardAndMessagesStillFlowBetweenNodes() throws Exception {
        TestServer a = nodes.start(NodeConfig.builder().topLevel(ALL), twoShards());
        TestServer b = nodes.start(NodeConfig.builder().topLevel(ALL), twoShards());
        Client onB = nodes.connect(b, "bob");
        List<String> channels = List.of("a", "b", "e", "news", "c");
        for (String ch : channels) {
            onB.send(subscribe(ch, ch));
            onB.nextContaining("\"method\":\"subscribe\"");
        }

        for (String ch : channels) {
            assertThat(a.api(publish(ch, "{\"ch\":\"" + ch + "\"}")).body()).contains("\"error\":null");
            assertThat(onB.nextContaining("\"method\":\"message\"")).contains("\"channel\":\"" + ch + "\"");
        }

        for (String ch : List.of("a", "e", "news")) {
            assertThat(exists(second, historyKey(ch))).as("history of %s on shard 1", ch).isTrue();
            assertThat(exists(redis.server(), historyKey(ch))).as("history of %s not on shard 0", ch).isFalse();
        }
        for (String ch : List.of("b", "c")) {
            assertThat(exists(redis.server(), historyKey(ch))).as("history of %s on shard 0", ch).isTrue();
            assertThat(exists(second, historyKey(ch))).as("history of %s not on shard 1", ch).isFalse();
        }
        String presenceSet = redis.prefix() + ".presence.set." + redis.prefix() + ".message.news";
        assertThat(exists(second, presenceSet)).isTrue();
        assertThat(a.api("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}").body())
                .contains("\"data\":{\"ch\":\"news\"}");
        assertThat(a.api("{\"method\":\"channels\",\"params\":{}}").body())
                .contains("\"a\"", "\"b\"", "\"e\"", "\"news\"", "\"c\"");
    }

    @Test
    void controlMessagesTravelOnTheFirstShard() throws Exception {
        TestServer a = nodes.start(NodeConfig.builder().topLevel(ALL), twoShards());
        TestServer b = nodes.start(NodeConfig.builder().topLevel(ALL), twoShards());
        Client onB = nodes.connect(b, "bob");

        a.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}");

        assertThat(onB.awaitClose().reason()).contains("\"reason\":\"disconnect\"");
    }
}
