package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The control log on a real six-node Redis Cluster (docs/scaling.md "Control log"): the PUB/SUB connections to the
 * master of {@code P.control} are killed while another node publishes disconnect commands; the node gets every one,
 * once, those it missed from the log. Found in review: on a cluster the always-on subscription's return was never
 * reported, so nothing was recovered.
 */
class RedisClusterControlLogIT {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final int COMMANDS = 3_000;

    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();
    @RegisterExtension
    final LogCapture controlLog = new LogCapture("dev.rotor.engine.redis.ControlLog");

    private static ControlMessage disconnect(String user) {
        return new ControlMessage("node-b", "disconnect",
                RawJson.wrap(("{\"user\":\"" + user + "\"}").getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> users(RecordingEngineListener l) {
        List<String> out = new ArrayList<>();
        for (ControlMessage m : l.controls()) {
            out.add(new String(m.params().bytes(), StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void commandsPublishedWhileTheControlChannelsConnectionWasDownAreRecovered() throws Exception {
        RecordingEngineListener a = new RecordingEngineListener(WAIT);
        try (RedisEngine nodeA = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix());
                RedisEngine nodeB = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            nodeA.start(a).toCompletableFuture().get(20, TimeUnit.SECONDS);
            nodeB.start(new RecordingEngineListener(WAIT)).toCompletableFuture().get(20, TimeUnit.SECONDS);
            nodeB.controlBus().publishControl(disconnect("live")).toCompletableFuture().get(10, TimeUnit.SECONDS);
            Awaitility.await().atMost(WAIT).until(() -> users(a).size() == 1);

            assertThat(cluster.cluster().masterOf(cluster.prefix() + ".control").command("CLIENT", "KILL", "TYPE",
                    "pubsub")).startsWith(":");
            List<String> sent = new ArrayList<>(List.of("{\"user\":\"live\"}"));
            List<CompletableFuture<Void>> acks = new ArrayList<>();
            for (int i = 0; i < COMMANDS; i++) {
                acks.add(nodeB.controlBus().publishControl(disconnect("u" + i)).toCompletableFuture());
                sent.add("{\"user\":\"u" + i + "\"}");
            }
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

            Awaitility.await().atMost(WAIT).until(() -> controlLog.messages().stream()
                    .anyMatch(m -> m.contains("commands this node missed were recovered")));
            Awaitility.await().atMost(WAIT).until(() -> users(a).size() >= sent.size());
            assertThat(users(a)).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(nodeA.losses()).hasValueSatisfying(l -> assertThat(l.controlRecovered())
                    .as("the kill left a gap that the log filled").isPositive());
        }
    }
}
