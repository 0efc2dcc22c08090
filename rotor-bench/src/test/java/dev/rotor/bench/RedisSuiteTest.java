package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The Redis pieces of the suite: plans, config, the redis-server command line and a real start/sample/stop. */
class RedisSuiteTest {
    private static Suite suite(String... args) {
        Suite s = new Suite();
        new CommandLine(s).parseArgs(args);
        return s;
    }

    @Test
    void memoryIsTheDefaultAndHasNoRedisOrTwoNodePlans() {
        List<Suite.Plan> plans = suite().plans();
        assertThat(plans).isNotEmpty().allMatch(p -> p.engine() == Suite.Engine.MEMORY && p.nodes() == 1);
        assertThat(plans).extracting(Suite.Plan::label).contains("conns 10000", "fanout 1x10000 max", "api c32 b100");
    }

    @Test
    void redisRunsEveryFanoutApiAndChurnScenarioOnAFreshDeploymentPlusTwoNodeFanouts() {
        List<Suite.Plan> memory = suite().plans();
        List<Suite.Plan> redis = suite("--engine", "redis").plans();
        assertThat(redis).allMatch(p -> p.engine() == Suite.Engine.REDIS && p.fresh());
        List<String> labels = redis.stream().map(Suite.Plan::label).toList();
        for (Suite.Plan m : memory) {
            if (m.label().startsWith("conns")) {
                assertThat(labels).doesNotContain("redis " + m.label());
            } else {
                assertThat(labels).contains("redis " + m.label());
            }
        }
        assertThat(redis).filteredOn(p -> p.nodes() == 2).extracting(Suite.Plan::label).containsExactly(
                "redis fanout 2 nodes 1x10000 @5/s", "redis fanout 2 nodes 1x10000 max",
                "redis fanout 2 nodes 1000x10 @5000/s");
        assertThat(suite("--engine", "memory,redis").plans()).hasSize(memory.size() + redis.size());
        assertThatThrownBy(() -> suite("--engine", "mongo").plans()).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theServerConfigSelectsTheRedisEngineOnlyWithAPort() throws Exception {
        var json = BenchMain.JSON;
        var memory = json.readTree(LocalServer.config(0));
        assertThat(memory.has("engine")).isFalse();
        assertThat(memory.get("insecure_api").asBoolean()).isTrue();
        var redis = json.readTree(LocalServer.config(6390));
        assertThat(redis.get("engine").asText()).isEqualTo("redis");
        assertThat(redis.get("redis_host").asText()).isEqualTo("127.0.0.1");
        assertThat(redis.get("redis_port").asText()).isEqualTo("6390");
        assertThat(redis.get("namespaces").get(0).get("name").asText()).isEqualTo("hist");
    }

    @Test
    void redisServerRunsOnLoopbackWithoutPersistence() {
        List<String> cmd = LocalRedis.command("redis-server", 6390);
        assertThat(cmd.get(0)).isEqualTo("redis-server");
        assertThat(String.join(" ", cmd)).contains("--port 6390", "--bind 127.0.0.1", "--appendonly no");
        int save = cmd.indexOf("--save");
        assertThat(cmd.get(save + 1)).isEmpty();
    }

    @Test
    void everyChannelHasSubscribersOnBothNodesOfATwoNodeFanout() {
        for (int[] shape : new int[][] {{1, 10_000}, {1000, 10}, {3, 5}}) {
            int channels = shape[0];
            int[][] perNode = new int[channels][2];
            for (int i = 0; i < channels * shape[1]; i++) {
                perNode[i % channels][FanoutScenario.node(i, channels, 2)]++;
            }
            for (int[] counts : perNode) {
                assertThat(counts[0]).as("%d channels", channels).isPositive();
                assertThat(counts[1]).as("%d channels", channels).isPositive();
                assertThat(Math.abs(counts[0] - counts[1])).isLessThanOrEqualTo(1);
            }
        }
        assertThat(FanoutScenario.node(7, 1, 1)).isZero();
    }

    @Test
    void severalNodesNeedRedis() {
        assertThatThrownBy(() -> Suite.Deployment.start(redisPort -> null, null, 2))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aStartedRedisIsSampledAndStopped() throws Exception {
        // a missing prerequisite fails loudly: bin/test installs redis-server
        assertThat(onPath("redis-server")).as("redis-server is on PATH (apt-get install redis-server)").isTrue();
        LocalProcess redis = LocalRedis.start("redis-server");
        ProcStats stats;
        try {
            stats = new ProcStats(redis.pid());
            assertThat(stats.enabled()).isTrue();
            assertThat(stats.cpuNanos()).isGreaterThanOrEqualTo(0);
            assertThat(stats.rssBytes()).isGreaterThan(0);
            // two processes sum: redis and this JVM
            long self = new ProcStats(ProcessHandle.current().pid()).rssBytes();
            assertThat(new ProcStats(redis.pid(), ProcessHandle.current().pid()).rssBytes())
                    .isGreaterThanOrEqualTo(self);
            assertThat(Files.exists(redis.dir().resolve("dump.rdb"))).isFalse();
        } finally {
            redis.close();
        }
        assertThat(stats.cpuNanos()).isEqualTo(-1); // gone
    }

    private static boolean onPath(String executable) {
        return Arrays.stream(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, executable)));
    }
}
