package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.ApiTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Event streams that never read while their channel is busy: forty {@code uni_sse} streams with valid tokens subscribe
 * to a channel into which the API publishes 60 KB messages as fast as it accepts them, and none of them reads a byte
 * after its response head. Every push waits in the server until the socket takes it; up to
 * {@code client_queue_max_size} (10 MiB) each, the streams would hold 400 MB, three times the attacked server's heap.
 * As for WebSocket clients, {@code client_queue_budget} (a quarter of the heap) counts their queues together and
 * closes the largest as slow, and the bystanders are served throughout (docs/sse.md, "Limits"; docs/security.md,
 * "Client queues together").
 */
class AttackUnreadStreamsIT {
    /** The stall timeout is out of the way: the verdict comes while every attacker that was not closed is held. */
    private static final String CONFIG = "\"prometheus\": true, \"write_stall_timeout\": 120";
    private static final String CHANNEL = "busy";
    private static final String DATA = "\"" + "x".repeat(60_000) + "\"";
    private static final int ATTACKERS = 40;
    /** Bounds of the publisher: it stops at the end of the attack, or after this many batches or this long. */
    private static final int MAX_BATCHES = 5_000;
    private static final Duration MAX_PUBLISHING = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void eventStreamsThatNeverReadABusyChannelAreHeldToTheClientQueueBudget() throws Exception {
        try (RotorProcess server = Attack.server(dir, CONFIG);
                Publisher publisher = new Publisher(server)) {
            // the streams' queues grow together, by one push each per publication: the budget (32 MB) closes the
            // largest as they pass it, so that at most six are left, each still under client_queue_max_size
            Attack.assertHeldToTheBudget(server, ATTACKERS, ATTACKERS - 6, i -> Attack.eventStream(server, "attacker" + i, CHANNEL, ""));
            assertThat(publisher.failure).as("the busy channel's publisher").isNull();
            assertThat(publisher.batches).as("batches of ten publications accepted").isPositive();
        }
    }

    /**
     * Publishes batches of ten ~60 KB messages into {@value #CHANNEL} through the API, one batch after another, from
     * its own thread, until closed (or its bounds). Remembers the first failure.
     */
    private static final class Publisher implements AutoCloseable {
        private final Thread thread;
        private volatile boolean stopped;
        private volatile int batches;
        private volatile String failure;

        Publisher(RotorProcess server) {
            ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"),
                    Attack.SECRET);
            StringJoiner batch = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 10; i++) {
                batch.add("{\"method\":\"publish\",\"params\":{\"channel\":\"" + CHANNEL + "\",\"data\":" + DATA + "}}");
            }
            String body = batch.toString();
            long deadline = System.nanoTime() + MAX_PUBLISHING.toNanos();
            thread = new Thread(() -> {
                while (!stopped && batches < MAX_BATCHES && System.nanoTime() < deadline) {
                    try {
                        HttpResponse<String> r = api.post(body);
                        if (r.statusCode() != 200 || r.body().contains("\"error\":\"")) {
                            failure = r.statusCode() + " " + r.body();
                            return;
                        }
                        batches++;
                    } catch (RuntimeException e) {
                        failure = e.toString();
                        return;
                    }
                }
            }, "busy-channel-publisher");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            stopped = true;
            thread.join(Duration.ofSeconds(30).toMillis());
        }
    }
}
