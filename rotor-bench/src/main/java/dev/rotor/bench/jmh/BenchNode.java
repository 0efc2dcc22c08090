package dev.rotor.bench.jmh;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.ClientSession;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.Disconnect;
import dev.rotor.transport.Transport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A real {@link Node} on the memory engine (insecure, publish allowed, history in namespace {@code hist}) with
 * sessions on a counting no-op transport, for benchmarks. One per JMH trial; {@link #close()} it.
 */
final class BenchNode implements AutoCloseable {
    /** Counts frames and bytes and drops them; thread-safe. */
    static final class CountingTransport implements Transport {
        final LongAdder frames = new LongAdder();

        @Override
        public String name() {
            return "bench";
        }

        @Override
        public void write(byte[] frame) {
            frames.increment();
        }

        @Override
        public long queuedBytes() {
            return 0;
        }

        @Override
        public void close(Disconnect disconnect) {
        }
    }

    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    final MemoryEngine engine = new MemoryEngine();
    final Node node;
    final CountingTransport transport = new CountingTransport();

    BenchNode() throws Exception {
        node = new Node(NodeConfig.builder().insecure(true).insecureApi(true)
                .topLevel(ChannelOptions.builder().publish(true).build())
                .namespace("hist", ChannelOptions.builder().publish(true).historySize(10).historyLifetime(60).build())
                .build(), engine, new Metrics(), scheduler,
                Clock.systemUTC());
        node.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Opens {@code n} sessions subscribed to {@code channel}, all on the shared counting transport. */
    void subscribe(int n, String channel) throws Exception {
        for (int i = 0; i < n; i++) {
            ClientSession s = node.openSession(transport);
            String frame = "[{\"method\":\"connect\",\"params\":{\"user\":\"u" + i
                    + "\",\"timestamp\":\"1\",\"token\":\"\"}},{\"method\":\"subscribe\",\"params\":{\"channel\":\""
                    + channel + "\"}}]";
            s.handleFrame(frame.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() {
        node.shutdown();
        engine.close();
        scheduler.shutdownNow();
    }
}
