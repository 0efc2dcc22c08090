package dev.rotor.testkit;

import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one message many times to a socket from a thread of its own, counting the bytes written, for tests of a
 * server that must stop reading from a flooding peer: once it does, the socket buffers fill and the writes stall.
 * Thread-safe.
 */
public final class FloodWriter {
    private final AtomicLong written = new AtomicLong();
    private final CompletableFuture<Void> done;

    private FloodWriter(OutputStream out, byte[] message, int count) {
        done = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < count; i++) {
                    out.write(message);
                    written.addAndGet(message.length);
                }
                out.flush();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** Starts writing {@code count} copies of {@code message} to {@code out}. */
    public static FloodWriter start(OutputStream out, byte[] message, int count) {
        return new FloodWriter(out, message, count);
    }

    /** Bytes written so far. */
    public long written() {
        return written.get();
    }

    /**
     * Waits until the writes stall (no progress for a second) or end, at most {@code timeout}; true when they stalled
     * with messages left to write, false when every message was written (or the timeout passed while writing).
     */
    public boolean awaitStall(Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        long before;
        do {
            before = written.get();
            try {
                done.get(1, TimeUnit.SECONDS);
            } catch (TimeoutException stillWriting) {
                // compared with the count before
            }
        } while (!done.isDone() && written.get() != before && System.nanoTime() < deadline);
        return !done.isDone() && written.get() == before;
    }

    /** Waits until every message was written; fails with the write's error. */
    public void awaitDone(Duration timeout) throws Exception {
        done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
