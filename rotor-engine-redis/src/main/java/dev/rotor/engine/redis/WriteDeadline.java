package dev.rotor.engine.redis;

import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import io.lettuce.core.resource.ClientResources;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The reply deadline ({@code redis_read_timeout}) of one write of commands to a command connection: one timer entry
 * per write of up to {@link CommandBatch#MAX_COMMANDS} commands instead of Lettuce's entry per command. Lettuce's
 * entry also holds its command until the timer's next tick, so under API load every command in flight outlived a
 * young collection; with one deadline per write the Redis API did 13–64 % more per server CPU-second in an A/B
 * (docs/benchmarks.md, "Lettuce's command timers").
 *
 * <p>Redis answers the commands of a connection in order, so when the last command of a write completes, every
 * earlier one has completed too: the deadline then lets go of the commands, and the timer keeps only this small
 * object until its tick. When the deadline passes first, every command of the write still waiting fails with
 * Lettuce's own {@link RedisCommandTimeoutException}, completed on Lettuce's event executors as Lettuce's timer
 * does, so callbacks never run on the timer thread.
 *
 * <p>Only commands created as {@link Timed} get this deadline; {@link #timeoutOptions} keeps Lettuce's per-command
 * timer for every other command of the connection (reads, presence, the dedicated connections).
 */
final class WriteDeadline implements TimerTask {
    /** A command whose deadline a {@link WriteDeadline} keeps; Lettuce's per-command timer skips it. */
    static final class Timed<T> extends AsyncCommand<byte[], byte[], T> {
        Timed(RedisCommand<byte[], byte[], T> command) {
            super(command);
        }
    }

    private final ClientResources resources;
    private final Duration timeout;
    /** The write's commands until its last one completed or the deadline passed; then null. */
    private volatile List<? extends RedisCommand<byte[], byte[], ?>> commands;

    private WriteDeadline(ClientResources resources, Duration timeout,
            List<? extends RedisCommand<byte[], byte[], ?>> commands) {
        this.resources = resources;
        this.timeout = timeout;
        this.commands = commands;
    }

    /**
     * Lettuce's command timeouts for a connection whose {@link Timed} commands are written with
     * {@link #arm}: {@code timeout} for every other command, none for those.
     */
    static TimeoutOptions timeoutOptions(Duration timeout) {
        long nanos = timeout.toNanos();
        return TimeoutOptions.builder().timeoutCommands(true).timeoutSource(new TimeoutOptions.TimeoutSource() {
            @Override
            public long getTimeout(RedisCommand<?, ?, ?> command) {
                return command instanceof Timed ? 0 : nanos;
            }

            @Override
            public TimeUnit getTimeUnit() {
                return TimeUnit.NANOSECONDS;
            }
        }).build();
    }

    /** Starts the deadline of {@code written}, just handed to the connection in this order; not empty. */
    static void arm(ClientResources resources, Duration timeout,
            List<? extends RedisCommand<byte[], byte[], ?>> written) {
        WriteDeadline d = new WriteDeadline(resources, timeout, written);
        Timeout entry = resources.timer().newTimeout(d, timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (written.get(written.size() - 1) instanceof AsyncCommand<byte[], byte[], ?> last) {
            last.whenComplete((v, e) -> {
                d.commands = null;
                entry.cancel();
            });
        }
    }

    @Override
    public void run(Timeout entry) {
        List<? extends RedisCommand<byte[], byte[], ?>> waiting = commands;
        if (waiting == null) {
            return;
        }
        commands = null;
        resources.eventExecutorGroup().submit(() -> {
            RedisCommandTimeoutException e = new RedisCommandTimeoutException(
                    "Command timed out after " + timeout.toMillis() + " ms");
            for (RedisCommand<byte[], byte[], ?> c : waiting) {
                if (!c.isDone()) {
                    c.completeExceptionally(e);
                }
            }
        });
    }
}
