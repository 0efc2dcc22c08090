package dev.rotor.engine.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The links of one node to the masters of a Redis Cluster on which the commands that must know their server run
 * (beyond v1): the publish-with-history script, which records the writer's run id, the history read of a recovery
 * (docs/scaling.md "Gap detection"), and with {@code redis_wait_replicas} the WAIT that follows a publication
 * (docs/scaling.md "Durability"). The other publications of a channel (without history, joins, leaves) take the
 * link's command connection too, so a node's publications of one channel keep their order as on a single Redis.
 *
 * <p>Why not Lettuce's cluster connection: it sends each command on a node connection of its choosing and reconnects
 * that connection by itself, maybe to another process at the same address, so neither the server that ran a command
 * nor the connection a WAIT must follow is known. WAIT counts only the writes of the connection it is sent on. Here a
 * link holds plain connections to one master address that never reconnect: the server behind a connection is, for
 * its whole life, the one whose {@code run_id} INFO named when it opened (a link is usable only after that), so a
 * command sent on it ran on that server or failed. The publications that wait for replicas and their WAIT share the
 * link's own wait connection ({@link ReplicaWait}, one per master, its bound per master), so each WAIT covers exactly
 * the scripts sent before it, on the master whose replicas it counts. When a connection of a link drops, the link
 * dies: what is in flight on it fails (a waited publication with {@link ReplicaWait.ReplicationException}), and the
 * next command opens a new link to the master the current topology names for its slot; a promoted replica or a
 * restarted master has another run id, so recovery there reports the gap. {@link #reconcile} closes links to nodes
 * that are no longer masters with slots (a frozen master that a failover demoted).
 *
 * <p>Thread-safe: the map of links is guarded by {@code lock}; Redis I/O runs outside it.
 */
final class ClusterMasters {
    private static final Logger log = LoggerFactory.getLogger(ClusterMasters.class);
    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;

    private final RedisClient nodeClient;
    private final Supplier<Partitions> topology;
    private final Runnable refreshTopology;
    private final String password;
    private final Duration commandTimeout;
    private final int waitReplicas;
    private final long waitTimeoutMillis;
    private final Object lock = new Object();
    /** The current link to each master, by {@code host:port}. Guarded by lock. */
    private final Map<String, Link> links = new HashMap<>();
    private volatile boolean closed;

    /** The connections of one node to one master; dead after the first loss of either. */
    final class Link implements MasterConnection {
        final String address;
        /** Completes with this link once its connections are open and their servers' run ids known. */
        final CompletableFuture<Link> ready = new CompletableFuture<>();
        /**
         * The callers that asked for the link while it opened, in call order; each gets its own stage, completed in
         * that order, so their commands go out in call order too (the dependents of one stage run in no stated
         * order). Guarded by this; null once ready is settled.
         */
        private List<CompletableFuture<Link>> waiting = new ArrayList<>();
        private final ServerIdentity identity = new ServerIdentity();
        private final ServerIdentity waitIdentity = new ServerIdentity();
        private volatile StatefulRedisConnection<byte[], byte[]> commands; // null until open
        /** Null until open, and always when publications do not wait for replicas. */
        private volatile StatefulRedisConnection<byte[], byte[]> waitConnection;
        private volatile ReplicaWait replicaWait; // null until ready, and always when publications do not wait
        private volatile boolean dead;

        Link(String address) {
            this.address = address;
        }

        @Override
        public ServerIdentity identity() {
            return identity;
        }

        /** The master's {@link ReplicaWait}; null when publications do not wait for replicas. */
        ReplicaWait replicaWait() {
            return replicaWait;
        }

        @Override
        public <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args) {
            Scripts.Text text = script.text(true);
            return redirectsRefresh(RedisBackend.<T>eval(commands.async(), text.sha(), text.source(), type, keys,
                    args));
        }

        private <T> CompletionStage<T> redirectsRefresh(CompletionStage<T> command) {
            return command.whenComplete((v, e) -> {
                if (e != null && redirected(e) && !closed) {
                    refreshTopology.run(); // the slot has another master now; the next command goes there
                }
            });
        }

        /** {@code SPUBLISH} on this link's command connection, where the channel's scripts run too. */
        CompletionStage<Long> spublish(byte[] redisChannel, byte[] payload) {
            return redirectsRefresh(commands.async().spublish(redisChannel, payload));
        }

        /** This link once ready; see {@link #waiting}. */
        CompletionStage<Link> whenReady() {
            synchronized (this) {
                if (waiting != null) {
                    CompletableFuture<Link> f = new CompletableFuture<>();
                    waiting.add(f);
                    return f;
                }
            }
            return ready;
        }

        /** Settles {@link #ready} and then every waiting caller, in call order. */
        private void settle(Throwable failure) {
            List<CompletableFuture<Link>> callers;
            synchronized (this) {
                if (failure == null) {
                    ready.complete(this);
                } else {
                    ready.completeExceptionally(failure);
                }
                callers = waiting;
                waiting = null;
            }
            for (CompletableFuture<Link> f : callers) {
                if (failure == null) {
                    f.complete(this);
                } else {
                    f.completeExceptionally(failure);
                }
            }
        }

        private boolean open() {
            StatefulRedisConnection<byte[], byte[]> c = commands;
            StatefulRedisConnection<byte[], byte[]> w = waitConnection;
            return c != null && c.isOpen() && (waitReplicas == 0 || w != null && w.isOpen());
        }

        /** Whether this link can take commands now (or will once ready). */
        private boolean usable() {
            if (dead || ready.isCompletedExceptionally()) {
                return false;
            }
            return !ready.isDone() || open();
        }
    }

    ClusterMasters(RedisClient nodeClient, Supplier<Partitions> topology, Runnable refreshTopology, String password,
            Duration commandTimeout, int waitReplicas, Duration waitTimeout) {
        this.nodeClient = nodeClient;
        this.topology = topology;
        this.refreshTopology = refreshTopology;
        this.password = password;
        this.commandTimeout = commandTimeout;
        this.waitReplicas = waitReplicas;
        this.waitTimeoutMillis = waitTimeout.toMillis();
    }

    /** A MOVED or ASK reply: the command went to a node that does not serve its slot (any more). */
    static boolean redirected(Throwable e) {
        Throwable cause = ShardClient.unwrap(e);
        return cause instanceof RedisCommandExecutionException && cause.getMessage() != null
                && (cause.getMessage().startsWith("MOVED") || cause.getMessage().startsWith("ASK"));
    }

    /** The link to the master that serves {@code slot} in the current topology, opened if needed. */
    CompletionStage<Link> link(int slot) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis Cluster is closed"));
        }
        RedisClusterNode master = topology.get().getMasterBySlot(slot);
        if (master == null) {
            refreshTopology.run();
            return CompletableFuture.failedFuture(new IllegalStateException("no Redis Cluster master serves slot "
                    + slot));
        }
        String address = ClusterSubscriptions.address(master);
        Link link;
        Link replaced = null;
        synchronized (lock) {
            link = links.get(address);
            if (link != null && !link.usable()) {
                replaced = link;
                link = null;
            }
            if (link != null) {
                return link.whenReady();
            }
            link = new Link(address);
            links.put(address, link);
        }
        if (replaced != null) {
            close(replaced);
        }
        CompletionStage<Link> result = link.whenReady();
        open(link, master);
        return result;
    }

    /** Opens the link's connections and learns their servers' run ids; completes or fails {@code link.ready}. */
    private void open(Link link, RedisClusterNode master) {
        var uri = ClusterBackend.uri(master.getUri().getHost(), master.getUri().getPort(), password, commandTimeout);
        nodeClient.connectAsync(CODEC, uri).thenCompose(c -> {
            link.commands = c;
            return link.identity.connected(c);
        }).thenCompose(v -> {
            if (waitReplicas == 0) {
                return CompletableFuture.completedFuture(null);
            }
            return nodeClient.connectAsync(CODEC, uri).thenCompose(w -> {
                link.waitConnection = w;
                return link.waitIdentity.connected(w).thenRun(() -> link.replicaWait = new ReplicaWait(w,
                        link.waitIdentity, true, waitReplicas, waitTimeoutMillis));
            });
        }).whenComplete((v, e) -> {
            if (e != null) {
                dead(link);
                link.settle(ShardClient.unwrap(e));
                if (!closed) {
                    refreshTopology.run(); // the master may be gone
                }
            } else if (closed || link.dead || !link.open()) {
                // closed meanwhile, or a connection dropped before it was watched: the next command opens anew
                dead(link);
                link.settle(new IllegalStateException("Redis Cluster link to " + link.address
                        + " lost while opening"));
            } else {
                link.settle(null);
            }
        });
    }

    /** A connection of the node client dropped: if it is a link's, the link dies. */
    void lost(RedisChannelHandler<?, ?> connection) {
        Link lostLink = null;
        synchronized (lock) {
            for (Link l : links.values()) {
                if (l.commands == connection) {
                    l.identity.disconnected();
                    lostLink = l;
                } else if (l.waitConnection == connection) {
                    l.waitIdentity.disconnected();
                    lostLink = l;
                }
            }
        }
        if (lostLink != null) {
            if (!closed) {
                log.info("Redis Cluster: connection to master {} lost; what was in flight on it failed, the next "
                        + "command opens a new link to the master of its slot", lostLink.address);
            }
            dead(lostLink);
            if (!closed) {
                refreshTopology.run();
            }
        }
    }

    /** Drops a link: it leaves the map and its connections close. */
    private void dead(Link link) {
        synchronized (lock) {
            link.dead = true;
            links.remove(link.address, link);
        }
        close(link);
    }

    private static void close(Link link) {
        // A closed connection fails what is in flight on it; the identities move on first, so that nothing
        // completing afterwards counts as having run on the link's server (ServerIdentity#still).
        retire(link);
        closeQuietly(link.commands);
        closeQuietly(link.waitConnection);
    }

    /** Marks a link dead and its identities disconnected, leaving its connections as they are. */
    private static void retire(Link link) {
        link.dead = true;
        link.identity.disconnected();
        link.waitIdentity.disconnected();
    }

    private static void closeQuietly(StatefulRedisConnection<byte[], byte[]> c) {
        if (c != null && c.isOpen()) {
            c.closeAsync();
        }
    }

    /**
     * Opens a link to every master with slots that has none (so commands rarely wait for one), and closes the links
     * to nodes that are no longer masters with slots in the current topology.
     */
    void reconcile() {
        if (closed) {
            return;
        }
        Set<String> masters = new HashSet<>();
        for (RedisClusterNode n : topology.get()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()) {
                masters.add(ClusterSubscriptions.address(n));
                boolean missing;
                synchronized (lock) {
                    missing = !links.containsKey(ClusterSubscriptions.address(n));
                }
                if (missing && !n.is(RedisClusterNode.NodeFlag.FAIL)) {
                    link(n.getSlots().get(0)); // failures show again on use
                }
            }
        }
        List<Link> stale = new ArrayList<>();
        synchronized (lock) {
            for (Link l : links.values()) {
                if (!masters.contains(l.address)) {
                    stale.add(l);
                }
            }
        }
        for (Link l : stale) {
            log.info("Redis Cluster: {} is no longer a master with slots; its link is closed, what was in flight on "
                    + "it failed", l.address);
            dead(l);
        }
    }

    /**
     * Stops opening links; shutting the node client down closes their connections. Closing them here as well made
     * Lettuce warn, for each, that it was already closed when the client's shutdown came to it.
     */
    void close() {
        closed = true;
        List<Link> all;
        synchronized (lock) {
            all = new ArrayList<>(links.values());
            links.clear();
        }
        all.forEach(ClusterMasters::retire);
    }
}
