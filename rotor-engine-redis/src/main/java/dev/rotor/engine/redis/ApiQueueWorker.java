package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.node.ThrottledLog;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumes one Redis API queue (redis-engine.md §8): {@code BLPOP} on a dedicated connection, then batches of up
 * to 65 entries through a script until the queue is empty, then {@code BLPOP} again. Entries are handed to the
 * handler one at a time, in queue order. Any Redis error ends the loop, which restarts 300 ms later. Thread-safe.
 *
 * <p>Beyond v1, bounded: an entry longer than the longest allowed (the HTTP API's body limit) is dropped and logged
 * (at most once per 10 s) without being parsed, and a batch holds at most that many bytes, or one entry. Only the
 * entry {@code BLPOP} takes is read whatever its length (Redis has no blocking pop that leaves a long entry in
 * place); Redis's {@code proto-max-bulk-len} bounds it (docs/security.md, "Redis").
 */
final class ApiQueueWorker implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiQueueWorker.class);
    /** Entries that fail: whoever writes to the queue can push bad ones as fast as Redis takes them. */
    private final ThrottledLog failedEntries = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    /** Restarts while Redis is away: one every {@link #RETRY_MILLIS} per queue otherwise. */
    private final ThrottledLog restarts = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    private static final long RETRY_MILLIS = 300;
    private static final byte[] BATCH = bytes("65");

    private final RedisBackend shard;
    private final String queue;
    private final byte[] key;
    private final Function<byte[], CompletionStage<?>> handler;
    private final int maxEntryBytes;
    private final byte[] maxEntryArg;
    private final ScheduledExecutorService scheduler;
    private final long blockSeconds;
    /** Entries dropped unparsed for their length since the start. */
    private final AtomicLong tooLong = new AtomicLong();
    private volatile boolean closed;
    private volatile StatefulRedisConnection<byte[], byte[]> connection; // null while (re)connecting

    ApiQueueWorker(RedisBackend shard, String queue, Function<byte[], CompletionStage<?>> handler,
            int maxEntryBytes, ScheduledExecutorService scheduler, Duration commandTimeout) {
        if (maxEntryBytes <= 0) {
            throw new IllegalArgumentException("maxEntryBytes must be positive, got " + maxEntryBytes);
        }
        this.shard = shard;
        this.queue = queue;
        this.key = bytes(queue);
        this.handler = handler;
        this.maxEntryBytes = maxEntryBytes;
        this.maxEntryArg = bytes(Integer.toString(maxEntryBytes));
        this.scheduler = scheduler;
        // v1: BLPOP timeout = read timeout / 2, at least 1 s; it stays below the command timeout.
        this.blockSeconds = Math.max(1, commandTimeout.toSeconds() / 2);
    }

    void start() {
        shard.connectDedicated(key).whenComplete((c, e) -> {
            if (e != null) {
                retry(e);
                return;
            }
            if (closed) {
                c.closeAsync();
                return;
            }
            connection = c;
            log.info("Start Redis API worker for queue {}", queue);
            blpop();
        });
    }

    private void blpop() {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        if (closed || c == null) {
            return;
        }
        c.async().blpop(blockSeconds, key).whenComplete((kv, e) -> {
            if (e != null) {
                retry(e);
            } else if (kv == null || !kv.hasValue()) {
                blpop();
            } else {
                handle(kv.getValue()).whenComplete((v, ignored) -> batch());
            }
        });
    }

    private void batch() {
        if (closed) {
            return;
        }
        shard.<List<Object>>script(Scripts.API_BATCH, ScriptOutputType.MULTI, new byte[][] {key}, BATCH,
                maxEntryArg, maxEntryArg).whenComplete((items, e) -> {
                    if (e != null) {
                        retry(e);
                    } else if (items.isEmpty()) {
                        blpop();
                    } else {
                        CompletionStage<?> chain = CompletableFuture.completedFuture(null);
                        for (Object item : items) {
                            chain = chain.thenCompose(v -> handle(item));
                        }
                        chain.whenComplete((v, ignored) -> batch());
                    }
                });
    }

    /**
     * Hands one entry to the handler; a failure is logged here, once, and the queue goes on. {@code item} is the
     * entry's bytes, or the length of an entry the batch script dropped.
     */
    private CompletionStage<?> handle(Object item) {
        if (!(item instanceof byte[] entry) || entry.length > maxEntryBytes) {
            long length = item instanceof byte[] b ? b.length : item instanceof Long n ? n : -1;
            tooLong.incrementAndGet();
            failedEntries.error("Error processing Redis API data: {}", "an entry of " + length + " bytes is longer"
                    + " than " + maxEntryBytes + " (http_max_body_size), dropped");
            return CompletableFuture.completedFuture(null);
        }
        CompletionStage<?> stage;
        try {
            stage = handler.apply(entry);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.handle((v, e) -> {
            if (e != null) {
                failedEntries.error("Error processing Redis API data: {}", ShardClient.unwrap(e).getMessage());
            }
            return null;
        });
    }

    /** Entries dropped unparsed because they were longer than the limit, since the worker started. */
    long droppedEntries() {
        return tooLong.get();
    }

    private void retry(Throwable e) {
        StatefulRedisConnection<byte[], byte[]> c = connection;
        connection = null;
        if (c != null) {
            c.closeAsync();
        }
        if (closed) {
            return;
        }
        restarts.warn("Redis API worker for queue {}", queue + " stopped, restarting in " + RETRY_MILLIS + " ms: "
                + ShardClient.unwrap(e));
        try {
            scheduler.schedule(this::start, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            // the engine is closing
        }
    }

    @Override
    public void close() {
        closeAsync();
    }

    /** Stops the worker; the stage completes once its connection is closed. */
    CompletableFuture<Void> closeAsync() {
        closed = true;
        StatefulRedisConnection<byte[], byte[]> c = connection;
        connection = null;
        return c == null ? CompletableFuture.completedFuture(null) : c.closeAsync();
    }
}
