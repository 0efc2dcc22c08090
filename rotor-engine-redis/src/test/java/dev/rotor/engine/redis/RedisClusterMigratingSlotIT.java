package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.RecordingEngineListener;
import dev.rotor.testkit.redis.RedisClusterExtension;
import dev.rotor.testkit.redis.RedisServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A channel's commands while its slot migrates (MIGRATING / IMPORTING, before SETSLOT NODE), on a real six-node
 * Redis Cluster: the publish script, which names keys, is refused (TRYAGAIN or ASK) and sent again once the slot
 * has moved, while an SPUBLISH (a join, a leave, a publication without history) names no key and is served by the
 * old master until then. A join issued after a publication must not run before it: the publication, refused while
 * the join that followed it ran, fails with its refusal instead of being sent again.
 */
class RedisClusterMigratingSlotIT {
    @RegisterExtension
    static final RedisClusterExtension cluster = new RedisClusterExtension();

    private static final String CHANNEL = "migrating";
    private static final HistoryOptions HISTORY = new HistoryOptions(100, 300, false);

    @Test
    void aJoinIssuedAfterAPublicationDoesNotRunBeforeItWhileTheSlotMigrates() throws Exception {
        try (RedisEngine engine = RedisEngines.clusterEngine(cluster.cluster(), cluster.prefix())) {
            RecordingEngineListener listener = new RecordingEngineListener(Duration.ofSeconds(20));
            engine.start(listener).toCompletableFuture().get(20, TimeUnit.SECONDS);
            engine.broker().subscribe(CHANNEL).toCompletableFuture().get(10, TimeUnit.SECONDS);
            engine.broker().publish(message("m0"), HISTORY).toCompletableFuture().get(10, TimeUnit.SECONDS);

            String redisChannel = cluster.prefix() + ".message.{" + CHANNEL + "}";
            RedisServer from = cluster.cluster().masterOf(redisChannel);
            RedisServer to = null;
            for (RedisServer n : cluster.cluster().nodes()) {
                if (n != from && n.running() && n.command("ROLE").contains("master")) {
                    to = n;
                    break;
                }
            }
            Runnable finish = cluster.cluster().beginSlotMove(redisChannel, to);

            CompletableFuture<Void> publication = engine.broker().publish(message("m1"), HISTORY)
                    .toCompletableFuture();
            CompletableFuture<Void> join = engine.broker().publishJoin(CHANNEL,
                    new ClientInfo("u", "c", null, null)).toCompletableFuture();
            Thread.sleep(500); // the slot stays migrating: a resharding moves a slot's keys for a while
            boolean joinRan = join.isDone();
            boolean publicationRan = publication.isDone();

            finish.run();
            join.get(10, TimeUnit.SECONDS);
            boolean published;
            try {
                publication.get(10, TimeUnit.SECONDS);
                published = true;
            } catch (ExecutionException e) {
                assertThat(e.getCause().getMessage()).as("refused, unexecuted").matches("(TRYAGAIN|ASK|MOVED).*");
                published = false;
            }
            assertThat(!published || !joinRan || publicationRan)
                    .as("the join ran (%s) while the publication issued before it, which then succeeded, had not (%s)",
                            joinRan, publicationRan).isTrue();
            List<String> history = engine.historyStore().history(CHANNEL).toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).stream().map(Message::uid).toList();
            assertThat(history).as("the history, newest first").isEqualTo(published ? List.of("m1", "m0")
                    : List.of("m0"));
        }
    }

    private static Message message(String uid) {
        return new Message(uid, CHANNEL, RawJson.of("{}"), null, null);
    }
}
