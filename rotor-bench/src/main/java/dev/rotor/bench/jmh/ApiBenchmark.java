package dev.rotor.bench.jmh;

import dev.rotor.api.ApiExecutor;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.CommandDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The HTTP API path without sockets: decode the body, execute through {@link ApiExecutor} (publish to channels
 * without subscribers, with or without history), encode the replies. Single command and 100-command batches.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ApiBenchmark {
    private BenchNode bench;
    private ApiExecutor executor;
    private byte[] single;
    private byte[] batch;
    private byte[] batchHistory;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        bench = new BenchNode();
        executor = new ApiExecutor(bench.node);
        single = body(1, "api");
        batch = body(100, "api");
        batchHistory = body(100, "hist:api");
        for (byte[] b : List.of(single, batch, batchHistory)) {
            String reply = new String(run(b), StandardCharsets.UTF_8);
            if (reply.contains("\"error\":\"")) {
                throw new IllegalStateException("the API rejected the benchmark body: " + reply);
            }
        }
    }

    private static byte[] body(int n, String prefix) {
        StringBuilder sb = new StringBuilder(n == 1 ? "" : "[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("{\"method\":\"publish\",\"params\":{\"channel\":\"").append(prefix)
                    .append(i).append("\",\"data\":{\"ts\":1000000000000000000,\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxx")
                    .append("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}}");
        }
        return sb.append(n == 1 ? "" : "]").toString().getBytes(StandardCharsets.UTF_8);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        bench.close();
    }

    private byte[] run(byte[] body) throws Exception {
        List<ApiReply> replies = executor.execute(CommandDecoder.decode(body, true)).toCompletableFuture().get();
        return ApiExecutor.encode(replies);
    }

    @Benchmark
    public byte[] publishOne() throws Exception {
        return run(single);
    }

    @Benchmark
    public byte[] publishBatchOf100() throws Exception {
        return run(batch);
    }

    @Benchmark
    public byte[] publishBatchOf100WithHistory() throws Exception {
        return run(batchHistory);
    }
}
