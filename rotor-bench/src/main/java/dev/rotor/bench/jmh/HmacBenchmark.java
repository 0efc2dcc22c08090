package dev.rotor.bench.jmh;

import dev.rotor.auth.Hmac;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/** HMAC-SHA256 checks: a connection token (once per connect) and an API sign over a ~1 KB body. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class HmacBenchmark {
    private final String secret = "bench-secret";
    private final String token = Hmac.clientToken(secret, "42", "1700000000", "");
    private final byte[] body = ("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"pad\":\""
            + "x".repeat(1000) + "\"}}}").getBytes(StandardCharsets.UTF_8);
    private final String sign = Hmac.apiSign(secret, body);

    @Benchmark
    public boolean checkClientToken() {
        return Hmac.checkClientToken(secret, "42", "1700000000", "", token);
    }

    @Benchmark
    public boolean checkApiSign() {
        return Hmac.checkApiSign(secret, body, sign);
    }
}
