package dev.rotor.bench.jmh;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Pushes;
import dev.rotor.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** Decoding client command frames and encoding a publication push (done once per channel per publication). */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ProtocolBenchmark {
    private final byte[] subscribe = "{\"uid\":\"7\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}"
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] publish = ("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":"
            + "{\"text\":\"hello world\",\"n\":[1,2,3],\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}}")
            .getBytes(StandardCharsets.UTF_8);
    private final byte[] batch = batch(10);
    private final Message message = new Message("FwJnkEXfbQoAJFuz6YU9hp", "news",
            RawJson.of("{\"text\":\"hello world\",\"pad\":\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}"),
            "640a9391-2e11-4b5f-8d6a-1a2b3c4d5e6f", new ClientInfo("u1", "640a9391-2e11-4b5f-8d6a-1a2b3c4d5e6f",
                    RawJson.of("{\"name\":\"A\"}"), null));

    private byte[] batch(int n) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append(new String(publish, StandardCharsets.UTF_8));
        }
        return sb.append(']').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public List<Command> decodeSubscribe() {
        return CommandDecoder.decode(subscribe, false);
    }

    @Benchmark
    public List<Command> decodePublish() {
        return CommandDecoder.decode(publish, true);
    }

    @Benchmark
    public List<Command> decodeBatchOf10() {
        return CommandDecoder.decode(batch, true);
    }

    @Benchmark
    public byte[] encodePublication() {
        return Pushes.message(message);
    }
}
