package dev.rotor.engine.redis;

import static dev.rotor.engine.redis.RedisNames.bytes;

import dev.rotor.engine.EngineListener;
import dev.rotor.node.ThrottledLog;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Beyond v1: the control messages a node missed while its PUB/SUB connection was down, recovered. Redis PUB/SUB keeps
 * nothing for a subscriber that is away, so an API {@code disconnect} or {@code unsubscribe} that another node sent
 * meanwhile never reached this node, and the user stayed connected or subscribed here (v1 lost them so, silently).
 * Now such messages are also appended to a stream, the control log ({@code P.control.log}, about {@link #LENGTH}
 * entries), by the script that publishes them, which adds each entry's id to the published message. Each node keeps
 * a watermark: the log id up to which it has applied every message. After its PUB/SUB connection is back, it reads
 * the log from the watermark on and applies what it did not receive (docs/scaling.md "Control log").
 *
 * <p>Ordering: the script appends and publishes in one atomic step, so the log's order is the order in which every
 * node receives the messages, and the messages a node receives after the connection came back are the log's newest
 * entries. From the loss of the connection until the recovery after it is done, live messages are applied at once
 * and their ids remembered, so the recovery skips them; the ids a recovery applied are remembered until a live
 * message shows that none of them can still arrive live. A recovery reads the entries after the watermark (by id,
 * as the log orders them), but a message is skipped only when its very id is remembered, never because its id is
 * lower than another's (after a failover to a replica whose clock is behind, a new entry's id may be lower than an
 * old one the node received from the old master). A recovery interrupted by another loss starts again from the same
 * watermark.
 *
 * <p>Threads: live messages come from the engine's control lane; recovered ones are applied on the engine's
 * scheduler thread, never on a lane, so that the lanes may wait for a recovery ({@link #pending}) without a
 * deadlock. The state is guarded by this object's monitor; the listener is called outside it.
 */
final class ControlLog {
    private static final Logger log = LoggerFactory.getLogger(ControlLog.class);
    /** The log's length (approximate: Redis trims whole nodes of the stream, {@code MAXLEN ~}). */
    static final int LENGTH = 10_000;
    /** Entries per read while recovering. */
    static final int PAGE = 256;
    /** At most this many entries are applied by one recovery (the log holds about {@link #LENGTH}). */
    static final int MAX_RECOVERED = 2 * LENGTH;
    /** Live ids remembered while a recovery is due or reads; past it, later ones are not, and may apply twice. */
    static final int MAX_REMEMBERED = 4 * LENGTH;
    /** A read that fails is tried again this often, at most {@link #MAX_ATTEMPTS} times (30 s). */
    private static final long RETRY_MILLIS = 300;
    private static final int MAX_ATTEMPTS = 100;
    private static final byte[] LENGTH_ARG = bytes(Integer.toString(LENGTH));
    private static final byte[] PAGE_ARG = bytes(Integer.toString(PAGE));
    private static final byte[] END = bytes("+");

    private final byte[] key;
    private final byte[] channel;
    private final ScheduledExecutorService scheduler;
    private final Supplier<EngineListener> listener;
    private final ThrottledLog undecodable = new ThrottledLog(log, Clock.systemUTC(), 10_000);
    /** Messages applied by recoveries since the start, for {@code /metrics}. */
    private final AtomicLong recoveredTotal = new AtomicLong();

    // ---- guarded by this ----
    /**
     * The id of the last logged message this node received in order, from which a recovery reads; every one up to
     * it was applied or was published before this node started. Null: unknown (the log could not be read at start).
     */
    private StreamId watermark;
    /** Ids past the watermark applied since the connection was lost, by the recovery or live (see the class). */
    private final TreeSet<StreamId> applied = new TreeSet<>();
    /** True from a loss of the connection until the recovery after it is done: live ids are remembered. */
    private boolean gap;
    /** Live ids were not remembered for lack of room. */
    private boolean overflow;
    /** The recovery now reading; a later one makes earlier ones stop. 0: none. */
    private long recovery;
    private long recoveries;
    /** A message was dropped while the recovery now reading reads: it reads on from where it is, once at the end. */
    private boolean again;
    private int recovered;
    /** Completes when no recovery is due or reading. */
    private CompletableFuture<Void> done = CompletableFuture.completedFuture(null);

    /**
     * @param names     the names of the engine's prefix
     * @param scheduler where recovered messages are applied and failed reads wait before they are tried again
     * @param listener  the engine's listener (null once closed)
     */
    ControlLog(RedisNames names, ScheduledExecutorService scheduler, Supplier<EngineListener> listener) {
        this.key = bytes(names.controlLog);
        this.channel = bytes(names.control);
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /** Appends {@code message} (an encoded control message) to the log and publishes it with its log id. */
    CompletionStage<Void> publish(RedisBackend shard, byte[] message) {
        return script(shard, Scripts.CONTROL_LOG_PUBLISH, ScriptOutputType.VALUE, channel, message, LENGTH_ARG)
                .thenApply(id -> null);
    }

    /**
     * Runs a script of the log on the connection to the master of its slot: on a cluster the link that also carries
     * the pings' SPUBLISH to {@code P.control} (one order), and no connection opened on demand.
     */
    private <T> CompletionStage<T> script(RedisBackend shard, Scripts script, ScriptOutputType type, byte[]... args) {
        return shard.onMaster(key, m -> m.<T>script(script, type, new byte[][] {key}, args));
    }

    /**
     * The engine's first connection: the watermark becomes the log's newest id (entries before this node started
     * are not its to apply). A message that arrives before the read is answered sets it on its own.
     */
    void started(RedisBackend shard) {
        read(shard, END).whenComplete((page, e) -> {
            if (e != null) {
                if (listener.get() != null) { // else the engine closed while it started
                    log.warn("Redis: the control log could not be read at start ({}): disconnect and unsubscribe"
                            + " commands missed during a later PUB/SUB outage will not be recovered until this node"
                            + " receives one", ShardClient.unwrap(e).toString());
                }
                return;
            }
            synchronized (this) {
                if (watermark == null) {
                    watermark = page.last == null ? StreamId.ZERO : page.last;
                }
            }
        });
    }

    /**
     * A control message received live: true when it is to be applied, false for one a recovery applied already.
     * {@code id} is null for a message that was not logged (a ping, or one from v1 or an earlier Rotor node).
     */
    synchronized boolean live(StreamId id) {
        if (id == null) {
            return true;
        }
        if (applied.contains(id)) {
            return false;
        }
        if (gap || recovery != 0) {
            if (applied.size() < MAX_REMEMBERED) {
                applied.add(id);
            } else {
                overflow = true;
            }
            return true;
        }
        applied.clear();
        watermark = id;
        return true;
    }

    /**
     * The PUB/SUB connection that carries {@code P.control} dropped: live messages may follow a gap from now on. A
     * recovery still reading is given up (what it applied stays remembered): the next one reads from the same
     * watermark, after the new gap too; ended, it would have closed the gap while the connection was down again.
     */
    synchronized void lost() {
        gap = true;
        recovery = 0;
        if (done.isDone()) {
            done = new CompletableFuture<>();
        }
    }

    /**
     * The PUB/SUB connection of the log's shard is back: reads the log from the watermark on and applies what this
     * node did not receive. Returns {@link #pending}.
     */
    synchronized CompletableFuture<Void> resubscribed(RedisBackend shard) {
        recover(shard);
        return done;
    }

    /** Completes once no recovery is due or reading (at once when none is). */
    synchronized CompletableFuture<Void> pending() {
        return done;
    }

    /**
     * A control message was dropped on its way to the lane (the engine's backlog was full): the log has it. A
     * recovery that reads now or is due (the connection is down) reads it too.
     */
    synchronized void dropped(RedisBackend shard) {
        if (recovery != 0) {
            again = true; // the recovery reading may have read the log before this message was in it
        } else if (!gap) {
            recover(shard);
        }
    }

    /** Guarded by this. */
    private void recover(RedisBackend shard) {
        if (watermark == null) {
            log.warn("Redis: disconnect and unsubscribe commands that other nodes' APIs sent did not reach this node"
                    + " (its PUB/SUB connection was down, or its backlog full), and are not repeated: the control"
                    + " log could not be read when the node started");
            endGap();
            return;
        }
        recovered = 0;
        if (done.isDone()) {
            done = new CompletableFuture<>();
        }
        recovery = ++recoveries;
        again = false;
        readFrom(shard, recovery, watermark, true, 1);
    }

    private void readFrom(RedisBackend shard, long id, StreamId after, boolean first, int attempt) {
        read(shard, bytes(after.next().toString()))
                .whenComplete((page, e) -> onScheduler(() -> onPage(shard, id, after, first, attempt, page, e)));
    }

    /** One page of a recovery, on the scheduler thread: applies what this node did not receive, then reads on. */
    private void onPage(RedisBackend shard, long id, StreamId after, boolean first, int attempt, Page page,
            Throwable e) {
        List<Entry> fresh = new ArrayList<>();
        StreamId last = after;
        synchronized (this) {
            if (recovery != id) {
                return; // a later loss of the connection started another recovery from the same watermark
            }
            if (e == null) {
                for (Entry entry : page.entries) {
                    last = entry.id;
                    if (applied.add(entry.id)) {
                        fresh.add(entry); // else received live since the loss
                    }
                }
            }
        }
        if (e != null) {
            // the PUB/SUB connection may be back before the one commands go on
            if (attempt < MAX_ATTEMPTS && later(() -> readFrom(shard, id, after, first, attempt + 1))) {
                return;
            }
            finish(shard, id, after, "the control log could not be read: " + ShardClient.unwrap(e));
            return;
        }
        if (first && after.isAfter(StreamId.ZERO) && page.first != null && page.first.isAfter(after)) {
            log.warn("Redis: this node missed more disconnect and unsubscribe commands than the control log keeps"
                    + " ({} entries): some of them do not reach it", LENGTH);
        }
        int applies = apply(fresh);
        boolean more;
        synchronized (this) {
            recovered += applies;
            more = page.entries.size() == PAGE && recovered < MAX_RECOVERED;
        }
        if (more) {
            readFrom(shard, id, last, false, 1);
        } else {
            finish(shard, id, last,
                    page.entries.size() == PAGE ? "it stopped after " + MAX_RECOVERED + " messages" : null);
        }
    }

    /** Hands recovered entries to the listener, in order; returns how many decoded. */
    private int apply(List<Entry> entries) {
        int applies = 0;
        for (Entry entry : entries) {
            WireCodec.LoggedControl c;
            try {
                c = WireCodec.decodeLoggedControl(entry.message);
            } catch (RuntimeException e) {
                undecodable.warn("dropped undecodable entry of the control log {}", entry.id + ": " + e);
                continue;
            }
            applies++;
            recoveredTotal.incrementAndGet();
            EngineListener target = listener.get();
            if (target != null) {
                target.onControl(c.message());
            }
        }
        return applies;
    }

    /**
     * Ends recovery {@code id}, whose last read ended at {@code last}: the watermark moves past everything applied,
     * unless a message was dropped meanwhile, in which case it reads on from {@code last} (the dropped message was in
     * the log before it arrived, so either that read had it, or it comes after). {@code failure}: null on success.
     */
    private void finish(RedisBackend shard, long id, StreamId last, String failure) {
        CompletableFuture<Void> ended;
        int count;
        boolean twice;
        synchronized (this) {
            if (recovery != id) {
                return;
            }
            if (failure == null && again && recovered < MAX_RECOVERED) {
                again = false;
                readFrom(shard, id, last, false, 1);
                return;
            }
            if (!applied.isEmpty() && (watermark == null || applied.last().isAfter(watermark))) {
                watermark = applied.last();
            }
            recovery = 0;
            count = recovered;
            twice = overflow;
            ended = endGap();
        }
        if (failure != null) {
            log.warn("Redis: the recovery of the disconnect and unsubscribe commands this node missed stopped after"
                    + " {} ({}); later ones may not reach it", count, failure);
        } else {
            log.info("Redis: {} disconnect and unsubscribe commands this node missed were recovered from the control"
                    + " log", count);
        }
        if (twice) {
            log.warn("Redis: more control messages arrived during a recovery than it remembers ({}); some may have"
                    + " been applied twice", MAX_REMEMBERED);
        }
        ended.complete(null);
    }

    /** Guarded by this; the caller completes the returned stage, outside the monitor. */
    private CompletableFuture<Void> endGap() {
        gap = false;
        overflow = false;
        CompletableFuture<Void> ended = done;
        if (watermark == null) {
            applied.clear();
            ended.complete(null);
        }
        return ended;
    }

    /** Control messages applied by recoveries since the engine started. */
    long recoveredTotal() {
        return recoveredTotal.get();
    }

    private boolean later(Runnable read) {
        try {
            scheduler.schedule(read, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            return true;
        } catch (RejectedExecutionException closing) {
            return false;
        }
    }

    private void onScheduler(Runnable task) {
        try {
            scheduler.execute(task);
        } catch (RejectedExecutionException closing) {
            // the engine is closing: nothing is applied after close
        }
    }

    /** One entry of the log. */
    private record Entry(StreamId id, byte[] message) {
    }

    /** What {@link Scripts#CONTROL_LOG_READ} returns; first and last null for an empty or absent log. */
    private record Page(StreamId first, StreamId last, List<Entry> entries) {
    }

    private CompletionStage<Page> read(RedisBackend shard, byte[] from) {
        return this.<List<Object>>script(shard, Scripts.CONTROL_LOG_READ, ScriptOutputType.MULTI, from, PAGE_ARG)
                .thenApply(ControlLog::page);
    }

    /** Decodes the read script's answer; {@link WireCodec.MalformedException} for any other shape. */
    private static Page page(List<Object> reply) {
        if (reply == null || reply.size() != 3 || !(reply.get(2) instanceof List<?> raw)) {
            throw new WireCodec.MalformedException("unexpected control log reply");
        }
        List<Entry> entries = new ArrayList<>(raw.size());
        for (Object o : raw) {
            if (!(o instanceof List<?> e) || e.size() != 2 || !(e.get(1) instanceof List<?> fields)
                    || fields.size() != 2 || !(fields.get(1) instanceof byte[] message)) {
                throw new WireCodec.MalformedException("unexpected control log entry");
            }
            entries.add(new Entry(id(e.get(0)), message));
        }
        return new Page(idOrNull(reply.get(0)), idOrNull(reply.get(1)), entries);
    }

    private static StreamId idOrNull(Object o) {
        return o instanceof byte[] ? id(o) : null;
    }

    private static StreamId id(Object o) {
        if (!(o instanceof byte[] b)) {
            throw new WireCodec.MalformedException("unexpected control log id");
        }
        return StreamId.parse(b);
    }

    @Override
    public String toString() {
        return "ControlLog[" + new String(key, StandardCharsets.UTF_8) + "]";
    }
}
