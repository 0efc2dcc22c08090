package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.Engine;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The API tests' fixture: a started node on the memory engine, by default with presence and history on for
 * top-level channels. Close it after the test. Not thread-safe.
 */
final class StartedNode implements AutoCloseable {
    /** Presence and a history of 5 for a minute on top-level channels. */
    static final ChannelOptions TOP_LEVEL = ChannelOptions.builder().presence(true).historySize(5).historyLifetime(60)
            .build();

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Engine engine;
    final Node node;

    StartedNode() throws Exception {
        this(NodeConfig.builder().topLevel(TOP_LEVEL));
    }

    StartedNode(NodeConfig.Builder config) throws Exception {
        this(config, new MemoryEngine());
    }

    /** A node on {@code engine}, which this fixture closes. */
    StartedNode(NodeConfig.Builder config, Engine engine) throws Exception {
        this.engine = engine;
        node = new Node(config.build(), engine, new Metrics(), scheduler, Clock.systemUTC());
        node.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        node.shutdown();
        engine.close();
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
