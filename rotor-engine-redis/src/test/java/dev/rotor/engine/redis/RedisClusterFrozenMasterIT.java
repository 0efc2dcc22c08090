package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisCluster;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import io.lettuce.core.RedisConnectionException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Redis Cluster master that stops answering with its connections open (SIGSTOP): once its PING probe has had no
 * answer for {@code redis_read_timeout}, publications to its slots fail at once instead of queueing their bytes
 * behind the unanswered ones, while the other masters go on serving theirs; once it answers again, so do its
 * publications (docs/scaling.md, "Publications in flight"). A cluster of its own: the replicas are told not to fail
 * over and the cluster to serve the slots it can, so that the frozen master keeps its slots.
 */
class RedisClusterFrozenMasterIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(2);

    private static CompletableFuture<Void> publish(RedisEngine engine, String channel, int n) {
        return engine.broker().publish(new Message("u" + n, channel, RawJson.of("{\"n\":" + n + "}"), null, null),
                HistoryOptions.NONE).toCompletableFuture();
    }

    private static boolean refusedAtOnce(CompletableFuture<Void> f) {
        return f.isCompletedExceptionally() && f.handle((v, e) -> ShardClient.unwrap(e)).join()
                instanceof RedisConnectionException refused && refused.getMessage().contains("does not answer");
    }

    @Test
    void publicationsToAFrozenMasterFailAtOnceWhileTheOtherMastersServe() throws Exception {
        RedisCluster c = cluster.cluster();
        RedisServer frozen = c.masterOf("{a}");
        String other = null;
        for (int i = 0; other == null; i++) {
            if (c.masterOf("{b" + i + "}") != frozen) {
                other = "b" + i;
            }
        }
        for (RedisServer node : c.nodes()) {
            assertThat(node.command("CONFIG", "SET", "cluster-require-full-coverage", "no")).startsWith("+OK");
            assertThat(node.command("CONFIG", "SET", "cluster-replica-no-failover", "yes")).startsWith("+OK");
        }
        try (RedisEngine engine = new RedisEngine(RedisEngines.clusterConfig(c, cluster.prefix(), "")
                .commandTimeout(COMMAND_TIMEOUT).build())) {
            engine.start(new RecordingEngineListener(Duration.ofSeconds(10))).toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            publish(engine, "a", 0).get(10, TimeUnit.SECONDS);
            frozen.pause();
            try {
                Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                        .until(() -> refusedAtOnce(publish(engine, "a", 1)));
                // the other masters are not affected: their publications go through meanwhile
                publish(engine, other, 2).get(5, TimeUnit.SECONDS);
            } finally {
                frozen.resume();
            }
            Awaitility.await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                publish(engine, "a", 3).get(5, TimeUnit.SECONDS);
                return true;
            });
        } finally {
            for (RedisServer node : c.nodes()) {
                node.command("CONFIG", "SET", "cluster-require-full-coverage", "yes");
                node.command("CONFIG", "SET", "cluster-replica-no-failover", "no");
            }
        }
        c.awaitOk();
    }
}
