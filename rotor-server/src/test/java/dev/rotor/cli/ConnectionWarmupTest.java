package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The JIT warm-up through a real private server, and its place in the start sequence. */
class ConnectionWarmupTest {
    @TempDir
    Path dir;

    private final List<ManagedServer> created = new CopyOnWriteArrayList<>();
    private final ManagedServer.Factory rotor = (s, n, e) -> {
        ManagedServer m = ManagedServer.rotor().create(s, n, e);
        created.add(m);
        return m;
    };

    @Test
    void everyConnectionConnectsSubscribesAndClosesThroughAPrivateServerThatIsGoneAfterwards() throws Exception {
        Warmup.Result r = new ConnectionWarmup(EngineFactory.standard(), rotor)
                .run(300, Duration.ofSeconds(60), () -> false);

        assertThat(r.connections()).isEqualTo(300);
        assertThat(r.took()).isPositive();
        assertThat(created).hasSize(1);
        // shut down before run returned: asking again finds the shutdown complete
        assertThat(created.get(0).shutdown()).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    @Timeout(60)
    void theTimeLimitEndsAWarmUpEarly() throws Exception {
        long start = System.nanoTime();
        Warmup.Result r = new ConnectionWarmup(EngineFactory.standard(), rotor)
                .run(ConfigLoader.MAX_WARMUP_CONNECTIONS, Duration.ofMillis(300), () -> false);

        assertThat(r.connections()).isLessThan(ConfigLoader.MAX_WARMUP_CONNECTIONS);
        // the limit, plus the private server's start and shutdown
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void aCancelledWarmUpMakesNoConnection() throws Exception {
        Warmup.Result r = new ConnectionWarmup(EngineFactory.standard(), rotor)
                .run(1000, Duration.ofSeconds(60), () -> true);

        assertThat(r.connections()).isZero();
        assertThat(created.get(0).shutdown()).succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void aPrivateServerThatCannotStartFailsTheWarmUpAndLeavesNothingRunning() {
        ManagedServer.Factory failing = (s, n, e) -> {
            RecordingServer server = new RecordingServer(s, n, e);
            server.startFailure = new IOException("Address already in use");
            created.add(server);
            return server;
        };

        assertThatThrownBy(() -> new ConnectionWarmup(EngineFactory.standard(), failing)
                .run(10, Duration.ofSeconds(5), () -> false)).hasMessage("Address already in use");
        assertThat(((RecordingServer) created.get(0)).shutdownCalled).isTrue();
    }

    @Test
    void framesAreMaskedWithTheLengthInTheShortOrTheTwoByteForm() {
        byte[] short125 = ConnectionWarmup.textFrame("x".repeat(125));
        assertThat(short125).hasSize(2 + 4 + 125);
        assertThat(short125[0] & 0xFF).isEqualTo(0x81);
        assertThat(short125[1] & 0xFF).isEqualTo(0x80 | 125);

        byte[] medium = ConnectionWarmup.textFrame("y".repeat(300));
        assertThat(medium).hasSize(4 + 4 + 300);
        assertThat(medium[1] & 0xFF).isEqualTo(0x80 | 126);
        assertThat(((medium[2] & 0xFF) << 8) | (medium[3] & 0xFF)).isEqualTo(300);
        assertThat(new String(medium, 8, 300, StandardCharsets.UTF_8)).isEqualTo("y".repeat(300));
    }

    @Test
    void aStopDuringTheWarmUpEndsItAndThenStopsTheServer() throws Exception {
        Path config = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"s\", \"warmup_connections\": 5000}");
        CountDownLatch warming = new CountDownLatch(1);
        AtomicBoolean sawCancel = new AtomicBoolean();
        Warmup untilCancelled = (connections, limit, cancelled) -> {
            warming.countDown();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!cancelled.getAsBoolean() && System.nanoTime() < deadline) {
                Thread.onSpinWait();
            }
            sawCancel.set(cancelled.getAsBoolean());
            return new Warmup.Result(0, Duration.ZERO);
        };
        List<RecordingServer> servers = new CopyOnWriteArrayList<>();
        ServerRunner runner = new ServerRunner(new ConfigLoader(config, Map.of(), Map.of()),
                new Logging(new ByteArrayOutputStream()), EngineFactory.standard(), (s, n, e) -> {
                    RecordingServer r = new RecordingServer(s, n, e);
                    servers.add(r);
                    return r;
                }, Duration.ofSeconds(10), untilCancelled);

        CompletableFuture<Integer> start = CompletableFuture.supplyAsync(runner::start);
        assertThat(warming.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Integer> stop = CompletableFuture.supplyAsync(runner::stop);

        assertThat(start.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(stop.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(sawCancel).isTrue();
        assertThat(servers).hasSize(1);
        assertThat(servers.get(0).shutdownCalled).isTrue();
        assertThat(runner.running()).isFalse();
    }
}
