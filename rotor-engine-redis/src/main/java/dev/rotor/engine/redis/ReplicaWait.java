package dev.rotor.engine.redis;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

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
 * <p>Group commit: at most one WAIT is in flight. A publication sent while none is in flight is followed by a WAIT at
 * once; those sent while one is in flight are covered by the next WAIT, sent when the current one returns. Each
 * publication so costs its script plus a share of one WAIT round trip, and a burst of N publications costs N scripts
 * and about two WAITs. A publication completes when its script succeeded and a WAIT that followed it returned at least
 * the required count; if that WAIT returned fewer, it fails with {@link ReplicationException}: it is written on the
 * master and may or may not survive a failover, and the publisher is told so. The same holds when the connection
 * dropped between the script and the WAIT's reply: Lettuce re-sends commands in flight after a reconnect, and a WAIT on
 * the new connection covers none of the old one's writes.
 *
 * <p>Which WAIT follows a script is told by the replies, not by the call order: Lettuce writes a command at once when
 * it is issued on the connection's event loop (as a WAIT sent from the previous WAIT's reply is) but queues it behind
 * that loop's pending tasks when issued on another thread (as a publication is), so a WAIT issued after a script can
 * reach Redis before it. Redis answers the commands of a connection in the order they arrived, and Lettuce completes
 * them in that order on the event loop: a script whose reply came before a WAIT's reply arrived before that WAIT, and
 * only those are covered by it. A script that had not answered yet waits for the next WAIT.
 */
final class ReplicaWait {
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

    /** Sends the script and, when no WAIT is in flight, a WAIT after it. Called under lock. */
    private void send(Pending p, boolean bySource) {
        RedisAsyncCommands<byte[], byte[]> async = connection.async();
        p.generation = identity.current().number();
        pending.addLast(p);
        Scripts.Text text = p.script.text(clustered);
        CompletionStage<Long> f = bySource
                ? async.<Long>eval(text.source(), ScriptOutputType.INTEGER, p.keys, p.args)
                : async.<Long>evalsha(text.sha(), ScriptOutputType.INTEGER, p.keys, p.args);
        f.whenComplete((v, e) -> written(p, bySource, e));
        if (!waiting) {
            sendWait();
        }
    }

    private void written(Pending p, boolean bySource, Throwable e) {
        synchronized (lock) {
            if (e == null) {
                p.written = true;
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
        connection.async().waitForReplication(replicas, timeoutMillis)
                .whenComplete(this::waited);
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
            if (!pending.isEmpty()) {
                sendWait();
            }
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
