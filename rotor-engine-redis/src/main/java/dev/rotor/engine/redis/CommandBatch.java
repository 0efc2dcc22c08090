package dev.rotor.engine.redis;

import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The Redis commands that one thread holds back inside {@link RedisEngine#batch}: per connection ({@link Target}: a
 * shard's command connection, or its {@link ReplicaWait} connection), in call order, written in one go when the
 * outermost batch ends, or as soon as a connection has {@link #MAX_COMMANDS} of them. One write means one flush on
 * the connection and, on the Redis side, one read per 16 KB instead of one read per command (docs/scaling.md "Redis
 * round trips"). Confined to its thread.
 */
final class CommandBatch {
    /** A connection that commands are held back for. */
    interface Target {
        /**
         * Writes {@code commands} to the connection in one go, in order. Returns why the connection refused them, or
         * null; the batch then fails the commands.
         */
        RuntimeException write(List<? extends RedisCommand<byte[], byte[], ?>> commands);
    }

    /**
     * Commands per connection held back at most; a longer batch goes out in several writes. It bounds what an API request
     * can pile up before anything is sent (v1 sent up to 2048 publishes per pipeline round trip).
     */
    static final int MAX_COMMANDS = 512;

    private static final ThreadLocal<CommandBatch> CURRENT = new ThreadLocal<>();

    /** Held-back commands per connection, in call order; a list is never empty. Only touched by the owner. */
    private final Map<Target, List<RedisCommand<byte[], byte[], ?>>> pending = new IdentityHashMap<>();
    /** Nesting depth of {@link #run} on this thread; the batch is sent when it drops back to 0. */
    private int depth;

    private CommandBatch() {
    }

    /** Runs {@code work} in this thread's batch (opening one if there is none) and sends it when the outermost ends. */
    static <T> T run(Supplier<T> work) {
        CommandBatch batch = CURRENT.get();
        if (batch == null) {
            batch = new CommandBatch();
            CURRENT.set(batch);
        }
        batch.depth++;
        try {
            return work.get();
        } finally {
            if (--batch.depth == 0) {
                // Closed before sending: a callback that fails on this thread and issues more commands sends them
                // directly instead of into a batch nobody sends.
                CURRENT.remove();
                batch.sendAll();
            }
        }
    }

    /** This thread's open batch, or null outside {@link #run}. */
    static CommandBatch current() {
        return CURRENT.get();
    }

    /** Holds {@code command} back for {@code target}; sends its commands once it has {@link #MAX_COMMANDS}. */
    void add(Target target, RedisCommand<byte[], byte[], ?> command) {
        List<RedisCommand<byte[], byte[], ?>> list = pending.computeIfAbsent(target, s -> new ArrayList<>());
        list.add(command);
        if (list.size() >= MAX_COMMANDS) {
            sendNow(target);
        }
    }

    /** Sends what is held back for {@code target} now (before a command that bypasses the batch, to keep order). */
    void sendNow(Target target) {
        List<RedisCommand<byte[], byte[], ?>> list = pending.remove(target);
        if (list != null) {
            ShardClient.fail(list, target.write(list));
        }
    }

    /** Writes every connection's commands, then fails those a connection refused (callbacks run after all writes). */
    private void sendAll() {
        List<Runnable> failures = new ArrayList<>();
        pending.forEach((target, list) -> {
            RuntimeException refused = target.write(list);
            if (refused != null) {
                failures.add(() -> ShardClient.fail(list, refused));
            }
        });
        pending.clear();
        failures.forEach(Runnable::run);
    }
}
