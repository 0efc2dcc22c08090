package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API tests' fixture: a started node on the memory engine, presence and history on for top-level channels.
 * Close it after the test. Not thread-safe.
 */
final class StartedNode implements AutoCloseable {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final Node node = new Node(NodeConfig.builder()
            .topLevel(ChannelOptions.builder().presence(true).historySize(5).historyLifetime(60).build())
            .build(), new MemoryEngine(), new Metrics(), scheduler, Clock.systemUTC());

    StartedNode() throws Exception {
        node.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
