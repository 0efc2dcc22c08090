package dev.rotor.engine.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.models.partitions.Partitions;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sharded PUB/SUB subscriptions (SSUBSCRIBE, Redis 7) of one node on a Redis Cluster: one PUB/SUB connection per
 * master, each Rotor channel subscribed on the master that owns its slot. Beyond v1.
 *
 * <p>Rotor places the subscriptions itself instead of leaving them to Lettuce's cluster PUB/SUB connection, whose
 * per-node connections re-subscribe to the same address after a loss, which after a failover is the dead master.
 * Here a node connection does not reconnect: when it drops, its channels become orphans; {@link #reconcile} (every
 * {@value #RECONCILE_MILLIS} ms and at once after a drop) subscribes orphans on the master that owns their slot in
 * the current topology, and moves channels whose slot moved to another master (a migration or a failover that
 * left the connection open). Re-placed channels are reported as lost, as after a PUB/SUB reconnect on a single
 * Redis, so the node tells their subscribers to reconnect. Until the cluster has promoted a replica and the topology
 * refresh has seen it, orphans stay orphans and the backend reports itself unhealthy.
 *
 * <p>Thread-safe: the maps are guarded by {@code lock}; Redis I/O and callbacks run outside it.
 */
final class ClusterSubscriptions {
    private static final Logger log = LoggerFactory.getLogger(ClusterSubscriptions.class);
    static final long RECONCILE_MILLIS = 500;

    /** A wanted subscription: the Redis channels of one Rotor channel (null for an always-on channel), one slot. */
    private record Wanted(String channel, byte[][] redisChannels, int slot) {
    }

    /** One PUB/SUB connection to one master; it is dead after its first disconnect. */
    private final class Node {
        final String address;
        final CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connection;
        volatile boolean probeFailing;
        volatile boolean dead;
        /** {@link System#nanoTime()} when a PING probe was last answered, or when this connection was made. */
        volatile long answeredAtNanos = System.nanoTime();
        /**
         * Per Redis channel, the SUNSUBSCRIBEs sent on this connection whose {@code sunsubscribe} has not come back:
         * any other {@code sunsubscribe} is Redis's own, sent when the channel's slot left the master.
         */
        private final Map<String, Integer> unsubscribing = new ConcurrentHashMap<>();

        Node(String address, CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connection) {
            this.address = address;
            this.connection = connection;
        }

        /**
         * Sends one SSUBSCRIBE or SUNSUBSCRIBE. Not batched like {@link SubscriptionBatcher} does on a single Redis:
         * the channels of one sharded command must share a slot. Lettuce sends them in call order.
         */
        CompletionStage<Void> send(boolean subscribe, byte[][] channels) {
            return connection.thenCompose(c -> {
                if (subscribe) {
                    return c.async().ssubscribe(channels);
                }
                for (byte[] channel : channels) {
                    unsubscribing.merge(new String(channel, StandardCharsets.UTF_8), 1, Integer::sum);
                }
                return c.async().sunsubscribe(channels);
            });
        }

        /** Whether a {@code sunsubscribe} of {@code redisChannel} answers a SUNSUBSCRIBE sent on this connection. */
        boolean asked(String redisChannel) {
            boolean[] asked = {false};
            unsubscribing.computeIfPresent(redisChannel, (k, n) -> {
                asked[0] = true;
                return n == 1 ? null : n - 1;
            });
            return asked[0];
        }

        boolean up() {
            StatefulRedisPubSubConnection<byte[], byte[]> c = connection.getNow(null);
            return !dead && c != null && c.isOpen() && !probeFailing;
        }
    }

    private final RedisClient nodeClient;
    private final Supplier<Partitions> topology;
    private final Runnable refreshTopology;
    private final String password;
    private final Duration commandTimeout;
    private final BiConsumer<String, byte[]> onMessage;
    private final SubscriptionEvents events;
    private final Object lock = new Object();
    /** Wanted subscriptions by key (the Rotor channel, or {@code "\0" + Redis channel} if always-on). */
    private final Map<String, Wanted> wanted = new HashMap<>(); // guarded by lock
    /** Where each placed wanted subscription was sent. */
    private final Map<String, Node> placement = new HashMap<>(); // guarded by lock
    /** The key of the wanted subscription of each Redis channel in {@link #wanted}. */
    private final Map<String, String> keysByRedisChannel = new HashMap<>(); // guarded by lock
    /** Wanted subscriptions that are not placed: never subscribed yet after a failure, or lost with their node. */
    private final Set<String> orphans = new LinkedHashSet<>(); // guarded by lock
    /** The live connection of each master by {@code host:port}. */
    private final Map<String, Node> nodes = new HashMap<>(); // guarded by lock
    /** Per master address: how often lost subscriptions came back on it. */
    private final Map<String, AtomicLong> recoveries = new HashMap<>(); // guarded by lock
    /**
     * Addresses of the masters whose PING probe has had no answer for the command timeout: frozen or stalled, with
     * their connections open. Read on every publication, without the lock; empty while every master answers.
     */
    private final Set<String> silent = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ClusterSubscriptions(RedisClient nodeClient, Supplier<Partitions> topology, Runnable refreshTopology,
            String password, Duration commandTimeout, BiConsumer<String, byte[]> onMessage,
            SubscriptionEvents events) {
        this.nodeClient = nodeClient;
        this.topology = topology;
        this.refreshTopology = refreshTopology;
        this.password = password;
        this.commandTimeout = commandTimeout;
        this.onMessage = onMessage;
        this.events = events;
    }

    /** The names of Redis channels. */
    private static Set<String> names(byte[][] redisChannels) {
        Set<String> out = new HashSet<>();
        for (byte[] c : redisChannels) {
            out.add(new String(c, StandardCharsets.UTF_8));
        }
        return out;
    }

    static String address(RedisClusterNode node) {
        return node.getUri().getHost() + ":" + node.getUri().getPort();
    }

    /** Subscribes to an always-on Redis channel (control, admin) on the master of its slot. */
    CompletionStage<Void> subscribeAlwaysOn(byte[] redisChannel) {
        return place("\0" + new String(redisChannel, StandardCharsets.UTF_8), null, new byte[][] {redisChannel});
    }

    /** Subscribes the Redis channels of {@code channel}, which share one slot, on the master of that slot. */
    CompletionStage<Void> subscribe(String channel, byte[]... redisChannels) {
        return place(channel, channel, redisChannels);
    }

    private CompletionStage<Void> place(String key, String channel, byte[][] redisChannels) {
        Wanted w = new Wanted(channel, redisChannels, SlotHash.getSlot(redisChannels[0]));
        Node node;
        synchronized (lock) {
            wanted.put(key, w);
            for (String name : names(redisChannels)) {
                keysByRedisChannel.put(name, key);
            }
            orphans.remove(key);
            node = ownerLocked(w.slot());
            if (node == null) {
                orphans.add(key);
                return CompletableFuture.failedFuture(new IllegalStateException(
                        "no Redis Cluster master serves slot " + w.slot()));
            }
            placement.put(key, node);
        }
        return node.send(true, redisChannels).whenComplete((v, e) -> {
            if (e != null) {
                orphan(key, w, node);
            }
        });
    }

    /** Unsubscribes {@code channel} on the master it was placed on. */
    CompletionStage<Void> unsubscribe(String channel, byte[]... redisChannels) {
        Node node;
        synchronized (lock) {
            if (wanted.remove(channel) != null) {
                for (String name : names(redisChannels)) {
                    keysByRedisChannel.remove(name, channel);
                }
            }
            orphans.remove(channel);
            node = placement.remove(channel);
        }
        if (node == null || node.dead) {
            return CompletableFuture.completedFuture(null); // nothing is subscribed any more
        }
        return node.send(false, redisChannels);
    }

    /** Marks a placed subscription an orphan again when it is still wanted as it was and still placed there. */
    private void orphan(String key, Wanted w, Node node) {
        synchronized (lock) {
            if (wanted.get(key) == w && placement.get(key) == node) {
                placement.remove(key);
                orphans.add(key);
            }
        }
    }

    /** The live connection to the master of {@code slot}, opened if needed; null when no master is known. */
    private Node ownerLocked(int slot) {
        RedisClusterNode master = topology.get().getMasterBySlot(slot);
        return master == null ? null : nodeLocked(master);
    }

    private Node nodeLocked(RedisClusterNode master) {
        String address = address(master);
        Node node = nodes.get(address);
        if (node != null) {
            return node;
        }
        CompletableFuture<StatefulRedisPubSubConnection<byte[], byte[]>> connecting = nodeClient.connectPubSubAsync(
                ByteArrayCodec.INSTANCE, ClusterBackend.uri(master.getUri().getHost(), master.getUri().getPort(),
                        password, commandTimeout)).toCompletableFuture();
        Node created = new Node(address, connecting);
        nodes.put(address, created);
        connecting.whenComplete((c, e) -> {
            if (e != null) {
                // Not inline: a connect that fails at once would change the maps while the caller iterates them.
                CompletableFuture.runAsync(() -> nodeDead(created));
                return;
            }
            c.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void smessage(byte[] redisChannel, byte[] message) {
                    onMessage.accept(new String(redisChannel, StandardCharsets.UTF_8), message);
                }

                @Override
                public void sunsubscribed(byte[] redisChannel, long count) {
                    String name = new String(redisChannel, StandardCharsets.UTF_8);
                    if (!created.asked(name)) {
                        dropped(created, name);
                    }
                }
            });
            if (closed || created.dead) {
                c.closeAsync();
            }
        });
        return created;
    }

    /** A connection of the node client dropped: if it is one of these, its subscriptions become orphans. */
    void lost(RedisChannelHandler<?, ?> connection) {
        Node lostNode = null;
        synchronized (lock) {
            for (Node n : nodes.values()) {
                if (n.connection.getNow(null) == connection) {
                    lostNode = n;
                    break;
                }
            }
        }
        if (lostNode != null) {
            nodeDead(lostNode);
        }
    }

    /**
     * Redis dropped {@code redisChannel}'s subscription on {@code node} unasked, as it does when the channel's slot
     * leaves the master: if it is still placed there, it becomes an orphan, which the next {@link #reconcile}
     * subscribes on the master the topology names then and reports as lost. Without this, a slot that left the
     * master and came back between two reconciles, which both saw it there, left the channel unsubscribed for good.
     */
    private void dropped(Node node, String redisChannel) {
        Set<String> alwaysOnLost = Set.of();
        synchronized (lock) {
            String key = keysByRedisChannel.get(redisChannel);
            if (key == null || placement.get(key) != node) {
                return; // not wanted any more, or placed elsewhere already
            }
            placement.remove(key);
            orphans.add(key);
            Wanted w = wanted.get(key);
            if (w.channel() == null) {
                alwaysOnLost = names(w.redisChannels());
            }
        }
        // not logged per channel: a resharding drops every channel of its slots; the reconcile logs the masters
        if (!alwaysOnLost.isEmpty() && !closed) {
            events.lost(alwaysOnLost);
        }
        if (!closed) {
            refreshTopology.run();
        }
    }

    /** Drops a node connection: its subscriptions become orphans; the topology is refreshed at once. */
    private void nodeDead(Node node) {
        Set<String> alwaysOnLost = new HashSet<>();
        synchronized (lock) {
            node.dead = true;
            if (nodes.remove(node.address, node)) {
                silent.remove(node.address); // a connection that is gone fails commands at once; the next is probed anew
            }
            placement.entrySet().removeIf(e -> {
                if (e.getValue() == node) {
                    orphans.add(e.getKey());
                    Wanted w = wanted.get(e.getKey());
                    if (w != null && w.channel() == null) {
                        alwaysOnLost.addAll(names(w.redisChannels()));
                    }
                    return true;
                }
                return false;
            });
        }
        if (!alwaysOnLost.isEmpty() && !closed) {
            events.lost(alwaysOnLost);
        }
        node.connection.thenAccept(c -> {
            if (c.isOpen()) {
                c.closeAsync();
            }
        });
        if (!closed) {
            refreshTopology.run();
        }
    }

    /**
     * Brings the subscriptions in line with the current topology: opens a connection to every master, moves
     * subscriptions whose slot has another master now, subscribes orphans, and reports each Rotor channel that came
     * back as its SSUBSCRIBE succeeds, before a message of the new subscription is handed on.
     */
    void reconcile() {
        if (closed) {
            return;
        }
        Partitions partitions = topology.get();
        List<Runnable> io = new ArrayList<>();
        synchronized (lock) {
            for (RedisClusterNode n : partitions) {
                if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()
                        && !n.is(RedisClusterNode.NodeFlag.FAIL)) {
                    nodeLocked(n);
                }
            }
            placement.entrySet().removeIf(e -> {
                Wanted w = wanted.get(e.getKey());
                RedisClusterNode master = partitions.getMasterBySlot(w.slot());
                if (master == null || address(master).equals(e.getValue().address)) {
                    return false;
                }
                Node old = e.getValue();
                io.add(() -> old.send(false, w.redisChannels())); // best effort: the old master may be gone
                orphans.add(e.getKey());
                return true;
            });
            Set<String> placedNow = new HashSet<>();
            Map<String, List<CompletableFuture<Boolean>>> restoredBy = new HashMap<>();
            for (String key : orphans) {
                Wanted w = wanted.get(key);
                Node node = ownerLocked(w.slot());
                if (node == null) {
                    continue;
                }
                placement.put(key, node);
                placedNow.add(key);
                CompletableFuture<Boolean> restored = new CompletableFuture<>();
                restoredBy.computeIfAbsent(node.address, a -> new ArrayList<>()).add(restored);
                io.add(() -> node.send(true, w.redisChannels()).whenComplete((v, e) -> {
                    restored.complete(e == null && w.channel() != null);
                    if (e != null) {
                        orphan(key, w, node);
                        return;
                    }
                    synchronized (lock) {
                        recoveries.computeIfAbsent(node.address, a -> new AtomicLong()).incrementAndGet();
                    }
                    // Reported here, on the connection's event loop as its SSUBSCRIBE reply is read, so before any
                    // message of the restored subscription is read and handed on (RedisEngine#resubscribed).
                    if (!closed && w.channel() != null) {
                        events.restored(Set.of(w.channel()), Set.of());
                    } else if (!closed) {
                        events.restored(Set.of(), names(w.redisChannels())); // always-on: the control log reads
                    }
                }));
            }
            orphans.removeAll(placedNow);
            restoredBy.forEach(ClusterSubscriptions::logRestored);
        }
        io.forEach(Runnable::run);
    }

    /**
     * One line per master and reconcile pass once its SSUBSCRIBEs are answered, not one per channel: a failover
     * restores every channel of the failed master's slots at once.
     */
    private static void logRestored(String address, List<CompletableFuture<Boolean>> restored) {
        CompletableFuture.allOf(restored.toArray(CompletableFuture[]::new)).thenRun(() -> {
            long channels = restored.stream().filter(CompletableFuture::join).count();
            if (channels > 0) {
                log.info("Redis Cluster: PUB/SUB subscriptions back on master {}: re-subscribed to {} channels",
                        address, channels);
            }
        });
    }

    /** PINGs every node connection; one that does not answer within {@code timeout} counts as down until it does. */
    void probe(Duration timeout) {
        List<Node> all;
        synchronized (lock) {
            all = new ArrayList<>(nodes.values());
        }
        for (Node n : all) {
            StatefulRedisPubSubConnection<byte[], byte[]> c = n.connection.getNow(null);
            if (c != null && c.isOpen()) {
                c.async().ping().toCompletableFuture().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((pong, e) -> probed(n, e == null));
            }
        }
    }

    private void probed(Node n, boolean answered) {
        n.probeFailing = !answered;
        long now = System.nanoTime();
        if (answered) {
            n.answeredAtNanos = now;
            silent.remove(n.address);
        } else if (now - n.answeredAtNanos >= commandTimeout.toNanos()) {
            synchronized (lock) {
                // only the master's current connection: one that died meanwhile must not leave its address behind
                if (nodes.get(n.address) == n) {
                    silent.add(n.address);
                }
            }
        }
    }

    /**
     * False while the master of {@code key}'s slot is known not to answer: its probe has had no reply for the command
     * timeout (see {@link RedisBackend#answering}). Costs one volatile read while every master answers.
     */
    boolean answering(byte[] key) {
        if (silent.isEmpty()) {
            return true;
        }
        RedisClusterNode master = topology.get().getMasterBySlot(SlotHash.getSlot(key));
        return master == null || !silent.contains(address(master));
    }

    /** True when every wanted subscription is placed and every master with slots has a live connection. */
    boolean healthy(Partitions partitions) {
        synchronized (lock) {
            if (!orphans.isEmpty()) {
                return false;
            }
            for (RedisClusterNode n : partitions) {
                if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()) {
                    Node node = nodes.get(address(n));
                    if (node == null || !node.up()) {
                        return false;
                    }
                }
            }
            return true;
        }
    }

    /** Whether the master at {@code address} has a live connection and none of its slots' channels is orphaned. */
    boolean up(String address, RedisClusterNode master) {
        synchronized (lock) {
            Node node = nodes.get(address);
            if (node == null || !node.up()) {
                return false;
            }
            for (String key : orphans) {
                if (master.hasSlot(wanted.get(key).slot())) {
                    return false;
                }
            }
            return true;
        }
    }

    /** How many Rotor channels are subscribed on the master at {@code address}. */
    int channels(String address) {
        synchronized (lock) {
            int count = 0;
            for (Map.Entry<String, Node> e : placement.entrySet()) {
                if (e.getValue().address.equals(address) && wanted.get(e.getKey()).channel() != null) {
                    count++;
                }
            }
            return count;
        }
    }

    long recoveries(String address) {
        synchronized (lock) {
            AtomicLong n = recoveries.get(address);
            return n == null ? 0 : n.get();
        }
    }

    /** Stops re-placing subscriptions; shutting the node client down closes the connections. */
    void close() {
        closed = true;
        synchronized (lock) {
            nodes.values().forEach(n -> n.dead = true);
            nodes.clear();
        }
    }
}
