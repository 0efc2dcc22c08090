package dev.rotor.testing;

import dev.rotor.transport.Transport;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Transport} that records every frame written and the disconnect it was closed with, for core tests
 * without sockets. It can be told to report a backlog ({@link #setQueuedBytes}) to exercise the slow-client path.
 * Call {@link #assertExhausted()} after each test so no frame goes unchecked. Thread-safe.
 */
public final class RecordingTransport implements Transport {
    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final AtomicReference<Disconnect> closedWith = new AtomicReference<>();
    private final AtomicLong queuedBytes = new AtomicLong();
    private volatile Runnable onClose = () -> { };

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public void write(byte[] frame) {
        if (closedWith.get() == null) {
            frames.add(frame);
        }
    }

    @Override
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Pretends that this many bytes wait to be sent. */
    public void setQueuedBytes(long bytes) {
        queuedBytes.set(bytes);
    }

    @Override
    public void close(Disconnect disconnect) {
        closedWith.compareAndSet(null, disconnect);
        onClose.run();
    }

    /**
     * Runs {@code hook} when the session closes the transport, in the middle of the session's close: what another
     * thread may do at that moment.
     */
    public void onClose(Runnable hook) {
        onClose = hook;
    }

    /** The next frame as text, failing when none is written within a second. */
    public String next() throws InterruptedException {
        return new String(nextRaw(), StandardCharsets.UTF_8);
    }

    /** The next frame exactly as the core passed it (the same array instance), failing when none arrives. */
    public byte[] nextRaw() throws InterruptedException {
        byte[] f = frames.poll(1, TimeUnit.SECONDS);
        assertThat(f).as("a frame was written").isNotNull();
        return f;
    }

    /** The disconnect this transport was closed with, or null while open. */
    public Disconnect closedWith() {
        return closedWith.get();
    }

    /** Waits until closed and returns the advice. */
    public Disconnect awaitClosed(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closedWith.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(closedWith.get()).as("transport closed within %s", timeout).isNotNull();
        return closedWith.get();
    }

    /** Fails when a frame was written and not taken by {@link #next()}. */
    public void assertExhausted() {
        assertThat(frames).as("unchecked frames").isEmpty();
    }
}
