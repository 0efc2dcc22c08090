package dev.rotor.bench.jmh;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One publication through the memory engine to N local sessions on a no-op transport: encode once, then the hub
 * iteration and each session's queue check and write. Time per publication; divide by N for per delivery.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class FanoutBenchmark {
    @Param({"10", "1000", "10000"})
    public int subscribers;

    private BenchNode bench;
    private final ChannelOptions opts = ChannelOptions.builder().publish(true).build();
    private final RawJson data =
            RawJson.of("{\"text\":\"hello\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}");

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        bench = new BenchNode();
        bench.subscribe(subscribers, "news");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long expected = subscribers;
        if (bench.transport.frames.sum() < expected) {
            throw new IllegalStateException("fan-out delivered nothing");
        }
        bench.close();
    }

    @Benchmark
    public void publish() throws Exception {
        bench.node.publish(new Message(bench.node.nextMessageUid(), "news", data, null, null), opts)
                .toCompletableFuture().get();
    }
}
