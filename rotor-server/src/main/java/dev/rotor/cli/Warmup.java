package dev.rotor.cli;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * The JIT warm-up at start (beyond v1, {@code warmup_connections}): before the server binds its ports, connections
 * go through the code that sets a connection up, so that the JIT compiles it before the first real client arrives
 * rather than while a reconnecting crowd waits for it (docs/benchmarks.md, "Warm-up at start").
 */
public interface Warmup {

    /** No warm-up: for embedding and for tests of the start sequence. */
    Warmup NONE = (connections, limit, cancelled) -> new Result(0, Duration.ZERO);

    /**
     * Runs at most {@code connections} connection cycles, for at most {@code limit}, and stops early once
     * {@code cancelled} is true (a shutdown signal during the start).
     *
     * @throws Exception when the warm-up could not run; the caller logs it and starts anyway
     */
    Result run(int connections, Duration limit, BooleanSupplier cancelled) throws Exception;

    /** What a warm-up did: the connection cycles completed and how long it took. */
    record Result(int connections, Duration took) {}
}
