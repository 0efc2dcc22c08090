package dev.rotor.engine.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.protocol.AsyncCommand;
import io.lettuce.core.protocol.RedisCommand;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Publications with history that are acknowledged only once {@code redis_wait_replicas} replicas have them
 * (docs/scaling.md "Durability"): the publish scripts of one shard run on this dedicated connection, and
 * {@code WAIT numreplicas timeout} follows them on the same connection. On a Redis Cluster there is one per master
 * (WAIT counts only that master's replicas), on a connection of its {@link ClusterMasters} link. Thread-safe.
 *
 * <p>Why a dedicated connection: WAIT waits for the replication offset of the last write <em>of the connection it is
 * sent on</em>, so it must follow the writes on their own connection (on a fresh connection without writes it returns
 * at once, proving nothing). And WAIT blocks that connection in Redis until it returns: on the shard's shared command
 * connection it would hold up every other command (presence, history reads, publications without history) for up to
 * the WAIT timeout. So the waited publications get their own connection, which nothing else uses.
 *
 * <p>Group commit: at most one WAIT is in flight. A publication sent outside a batch while none is in flight is
 * followed by a WAIT at once; a script that answers while none is in flight gets one then. So every script that
 * answered is followed by a WAIT that answers after it, and a WAIT covers every script that answered before it. Each
 * publication costs its script plus a share of one WAIT round trip, and a burst of N publications costs N scripts and
 * about two WAITs. A publication completes when its script succeeded and a WAIT that followed it returned at least
 * the required count; if that WAIT returned fewer, it fails with {@link ReplicationException}: it is written on the
 * master and may or may not survive a failover, and the publisher is told so. The same holds when the connection
 * dropped between the script and the WAIT's reply: Lettuce re-sends commands in flight after a reconnect, and a WAIT on
 * the new connection covers none of the old one's writes.
 *
 * <p>Which WAIT follows a script is told by the replies, not by the call order: Lettuce writes a command at once when
 * it is issued on the connection's event loop (as a WAIT sent from a script's reply is) but queues it behind
 * that loop's pending tasks when issued on another thread (as a publication is), so a WAIT issued after a script can
 * reach Redis before it. Redis answers the commands of a connection in the order they arrived, and Lettuce completes
 * them in that order on the event loop: a script whose reply came before a WAIT's reply arrived before that WAIT, and
 * only those are covered by it. A script that had not answered yet waits for the next WAIT.
 *
 * <p>Inside a {@link CommandBatch} (an API request) the scripts are held back in the thread's batch and written to
 * this connection in one go, as the shard's command connection batches its commands, and the first of them to answer
 * sends the WAIT, which the others, already written, answer before: a request of 100 publications is one write and
 * one WAIT (A/B in docs/scaling.md, "Durability").
 */
final class ReplicaWait implements CommandBatch.Target {
    /**
     * Publications awaiting their WAIT at most, per shard: with replicas that stop confirming, every publication
     * waits for the WAIT timeout, and publishers that keep sending would otherwise grow the queue without limit.
     * Beyond it a publication fails at once, unwritten.
     */
    static final int MAX_PENDING = 10_000;

    private final StatefulRedisConnection<byte[], byte[]> connection;
    private final int maxPending;
    private final ServerIdentity identity;
    /** Whether the scripts are sent in their cluster variant ({@link Scripts#text}). */
    private final boolean clustered;
    private final int replicas;
    private final long timeoutMillis;
    private final Object lock = new Object();
    /** Publications whose script was sent, in call order, not yet covered by a returned WAIT. Guarded by lock. */
    private final Deque<Pending> pending = new ArrayDeque<>();
    /** Whether a WAIT is in flight; guarded by lock. */
    private boolean waiting;
    /** Writes of held-back scripts by {@link #write} (a batch counts once), for tests. */
    private final LongAdder writes = new LongAdder();

    ReplicaWait(StatefulRedisConnection<byte[], byte[]> connection, ServerIdentity identity, boolean clustered,
            int replicas, long timeoutMillis) {
        this(connection, identity, clustered, replicas, timeoutMillis, MAX_PENDING);
    }

    ReplicaWait(StatefulRedisConnection<byte[], byte[]> connection, ServerIdentity identity, boolean clustered,
            int replicas, long timeoutMillis, int maxPending) {
        this.maxPending = maxPending;
        this.connection = connection;
        this.identity = identity;
        this.clustered = clustered;
        this.replicas = replicas;
        this.timeoutMillis = timeoutMillis;
    }

    /** Writes of scripts held back in a {@link CommandBatch} (one per batch), for tests. */
    long writes() {
        return writes.sum();
    }

    /** The server behind this connection, which the publish script records as the writer. */
    ServerIdentity identity() {
        return identity;
    }

    /** One publication: its script, the number of its last send, and its outcome. */
    private static final class Pending {
        final Scripts script;
        final byte[][] keys;
        final byte[][] args;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        long generation; // guarded by the ReplicaWait's lock: the connection's generation when the script was sent
        boolean written; // guarded by the ReplicaWait's lock: its script succeeded

        Pending(Scripts script, byte[][] keys, byte[][] args) {
            this.script = script;
            this.keys = keys;
            this.args = args;
        }
    }

    /** Runs {@code script} (by SHA, by source when Redis lost it) and completes once enough replicas have it. */
    CompletionStage<Void> publish(Scripts script, byte[][] keys, byte[]... args) {
        Pending p = new Pending(script, keys, args);
        synchronized (lock) {
            if (pending.size() >= maxPending) {
                return CompletableFuture.failedFuture(new ReplicationException("publication not written: "
                        + maxPending + " publications are already waiting for their replication to be confirmed"));
            }
            send(p, false);
        }
        return p.done;
    }

    /**
     * Sends the script, held back in the thread's {@link CommandBatch} if it has one. Outside a batch a WAIT follows
     * at once when none is in flight; a held-back script gets its WAIT when it answers ({@link #written}). Called
     * under lock.
     */
    private void send(Pending p, boolean bySource) {
        p.generation = identity.current().number();
        pending.addLast(p);
        Scripts.Text text = p.script.text(clustered);
        CommandBatch batch = bySource ? null : CommandBatch.current();
        CompletionStage<Long> f;
        if (batch != null) {
            AsyncCommand<byte[], byte[], Long> command = new AsyncCommand<>(
                    ShardClient.<Long>evalsha(text.sha(), ScriptOutputType.INTEGER, p.keys, p.args));
            batch.add(this, command); // may write at once (the batch's bound): write() below
            f = command;
        } else {
            RedisAsyncCommands<byte[], byte[]> async = connection.async();
            f = bySource
                    ? async.<Long>eval(text.source(), ScriptOutputType.INTEGER, p.keys, p.args)
                    : async.<Long>evalsha(text.sha(), ScriptOutputType.INTEGER, p.keys, p.args);
        }
        f.whenComplete((v, e) -> written(p, bySource, e));
        if (batch == null && !waiting) {
            sendWait();
        }
    }

    /** {@link CommandBatch.Target}: writes the scripts a batch held back to this connection in one go. */
    @Override
    public RuntimeException write(List<? extends RedisCommand<byte[], byte[], ?>> commands) {
        try {
            connection.dispatch(commands);
            writes.increment();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    /**
     * A script answered. Answered with no WAIT in flight, it gets one now: every script that answered is so followed
     * by a WAIT that answers after it, either the one in flight (Redis answers in order, so one that has not answered
     * yet was sent after this script) or this one.
     */
    private void written(Pending p, boolean bySource, Throwable e) {
        synchronized (lock) {
            if (e == null) {
                p.written = true;
                if (!waiting) {
                    sendWait();
                }
                return;
            }
            pending.remove(p);
            if (!bySource && ShardClient.unwrap(e) instanceof RedisNoScriptException) {
                send(p, true); // the WAIT already sent does not cover the new send; a later one will
                return;
            }
        }
        p.done.completeExceptionally(ShardClient.unwrap(e));
    }

    /** Sends WAIT, which covers every script that answers before it does. Called under lock. */
    private void sendWait() {
        waiting = true;
        connection.async().waitForReplication(replicas, timeoutMillis).whenComplete(this::waited);
    }

    private void waited(Long count, Throwable e) {
        Deque<Pending> finished = new ArrayDeque<>();
        long generation = identity.current().number();
        synchronized (lock) {
            waiting = false;
            // The scripts that answered before this WAIT did reached Redis before it (see the class comment).
            for (java.util.Iterator<Pending> i = pending.iterator(); i.hasNext();) {
                Pending p = i.next();
                if (p.written) {
                    finished.add(p);
                    i.remove();
                }
            }
            // No WAIT is sent from here for the scripts still pending: each gets one when it answers (written). One
            // sent from here after a WAIT that failed because the connection dropped is rejected at once, which
            // calls this again with the same scripts pending, and again: after such an outage the flag above was
            // found set with no WAIT in flight (RedisReplicaWaitIT), and no publication was confirmed from then on.
        }
        for (Pending p : finished) {
            if (p.generation != generation) {
                // Lettuce re-sends commands that were in flight when the connection dropped: this WAIT (or the
                // script) may have run on a new connection, maybe to another server, where it proves nothing
                p.done.completeExceptionally(new ReplicationException("publication written to Redis but the "
                        + "connection was lost before its replication was confirmed: it may or may not survive a "
                        + "failover"));
            } else if (e != null) {
                p.done.completeExceptionally(new ReplicationException("publication written to Redis but its "
                        + "replication could not be confirmed (" + ShardClient.unwrap(e).getMessage()
                        + "): it may or may not survive a failover"));
            } else if (count < replicas) {
                p.done.completeExceptionally(new ReplicationException("publication written to Redis but it reached "
                        + count + " of " + replicas + " replicas within " + timeoutMillis
                        + " ms: it may or may not survive a failover"));
            } else {
                p.done.complete(null);
            }
        }
    }

    /**
     * A publication that the Redis master accepted but whose replication {@code WAIT} did not confirm: the API command
     * fails with this message. Carries no stack trace: an expected outcome. Immutable.
     */
    static final class ReplicationException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        ReplicationException(String message) {
            super(message);
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this;
        }
    }
}
