package dev.rotor.engine.redis;

import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
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
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
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
 * <p>A slot that moves (a resharding): its master refuses the slot's commands with {@code MOVED} once the slot is
 * gone, and while it migrates with {@code ASK} or {@code TRYAGAIN} when a command's keys have (partly) left. Redis
 * refuses these before running anything, so {@link #run} sends such a command again, on the link of the master the
 * topology names once the slot's {@link Move} lets it: at most for the command timeout from its first refusal, and
 * only as long as no command of its slot issued after it has been sent to another link (the slot's generation), for
 * it would then run after that one. A timeout or a lost connection is never a refusal: such a command may have run,
 * and fails as before. Order: a node sends a slot's commands in call order on one link, Redis runs a connection's
 * commands in order, and a master that refused a channel's command refuses its later ones too (the channel's keys
 * only leave it), but for an SPUBLISH, which names no key and which a migrating slot's old master still serves: a
 * refused command that a later one of its slot outran unrefused fails ({@link Move#screen}). The move holds the slot's new commands, waits (a PING on the old link) until every command sent
 * there has answered, sends the first refused command alone, and once it is answered the others, in the order they
 * were refused, then the held ones: so a channel's commands still run in call order, also on a new master that
 * refuses the slot until it learns that it owns it and then accepts it. A topology that names another master for a
 * slot before any refusal came back starts a move too, with the command that sees it (docs/scaling.md "Slot moves").
 *
 * <p>Thread-safe: the map of links, the moves and the per-slot state are guarded by {@code lock}; Redis I/O runs
 * outside it, but for a move that ends by sending its commands, which it does under the lock so that nothing issued
 * after them goes first.
 */
final class ClusterMasters {
    private static final Logger log = LoggerFactory.getLogger(ClusterMasters.class);
    private static final ByteArrayCodec CODEC = ByteArrayCodec.INSTANCE;
    /** How often a {@link Move} looks at the topology, and how long it waits after an ASK or TRYAGAIN. */
    static final long POLL_MILLIS = 10;
    /** How often a {@link Move} waiting for the topology to name the slot's new master asks for a refresh. */
    static final long REFRESH_MILLIS = 200;

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
    /** Per slot, the link its last command was sent on (or is waiting for); null until then. Guarded by lock. */
    private final Link[] lastLink = new Link[SlotHash.SLOT_COUNT];
    /**
     * Per slot, a number that changes whenever the slot's commands start going to another link or a move sends its
     * commands again: a refused command is sent again only while it is still the one it was sent under, so that no
     * later command of the slot can have gone ahead of it. Guarded by lock.
     */
    private final int[] generations = new int[SlotHash.SLOT_COUNT];
    /**
     * Per slot, the number of the last command sent (in call order): a move learns from it which commands were sent
     * after a refused one, and so whether one of those may have run. Guarded by lock.
     */
    private final int[] sends = new int[SlotHash.SLOT_COUNT];
    /** The slots whose commands a move holds; guarded by lock. Empty but while slots move. */
    private final Map<Integer, Move> moves = new HashMap<>();
    private final LongAdder redirects = new LongAdder();
    private volatile boolean closed;

    /** The connections of one node to one master; dead after the first loss of either. */
    final class Link implements MasterConnection {
        final String address;
        /** Completes with this link once its connections are open and their servers' run ids known. */
        final CompletableFuture<Link> ready = new CompletableFuture<>();
        /**
         * The callers that asked for the link while it opened, in call order; each gets its own stage, completed in
         * that order, so their commands go out in call order too (the dependents of one stage run in no stated
         * order). Guarded by this; null once ready is settled and every caller in it completed.
         */
        private List<CompletableFuture<Link>> waiting = new ArrayList<>();
        private final ServerIdentity identity = new ServerIdentity();
        private final ServerIdentity waitIdentity = new ServerIdentity();
        private volatile StatefulRedisConnection<byte[], byte[]> commands; // null until open
        /** Null until open, and always when publications do not wait for replicas. */
        private volatile StatefulRedisConnection<byte[], byte[]> waitConnection;
        private volatile ReplicaWait replicaWait; // null until ready, and always when publications do not wait
        private volatile boolean dead;
        /** Guarded by lock: true until the caller that created this link opens it. */
        private boolean unopened = true;
        /** Guarded by lock: the unusable link this one replaced, closed by the caller that opens this one. */
        private Link replaced;

        Link(String address, Link replaced) {
            this.address = address;
            this.replaced = replaced;
        }

        @Override
        public ServerIdentity identity() {
            return identity;
        }

        /** The master's {@link ReplicaWait}; null when publications do not wait for replicas. */
        @Override
        public ReplicaWait replicaWait() {
            return replicaWait;
        }

        @Override
        public <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args) {
            Scripts.Text text = script.text(true);
            return RedisBackend.eval(commands.async(), text.sha(), text.source(), type, keys, args);
        }

        /** {@code SPUBLISH} on this link's command connection, where the channel's scripts run too. */
        CompletionStage<Long> spublish(byte[] redisChannel, byte[] payload) {
            return commands.async().spublish(redisChannel, payload);
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

        /**
         * Settles {@link #ready} and then every waiting caller, in call order. Callers that come while the earlier
         * ones are completed (outside the monitor: completing one sends its command) still join the list, and are
         * completed after them; only once it is empty do callers take {@link #ready} itself. Emptying the list before
         * completing its callers let a caller that came in that gap send its command ahead of theirs (a publisher
         * whose window freed as the link opened: {@code RedisClusterLinkOpeningIT}).
         */
        private void settle(Throwable failure) {
            synchronized (this) {
                if (failure == null) {
                    ready.complete(this);
                } else {
                    ready.completeExceptionally(failure);
                }
            }
            while (true) {
                List<CompletableFuture<Link>> callers;
                synchronized (this) {
                    callers = waiting;
                    if (callers.isEmpty()) {
                        waiting = null;
                        return;
                    }
                    waiting = new ArrayList<>();
                }
                for (CompletableFuture<Link> f : callers) {
                    if (failure == null) {
                        f.complete(this);
                    } else {
                        f.completeExceptionally(failure);
                    }
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

    /**
     * A reply by which a master refuses a command of a slot that is not (or not wholly) its own, unexecuted: {@code
     * MOVED} (the slot has another master), {@code ASK} (the slot is migrating and the command's keys have left) or
     * {@code TRYAGAIN} (the slot is migrating and only some of the command's keys have left, as for a publish script
     * whose touch key does not exist). Redis checks this before it runs the command, script or not.
     */
    static boolean redirected(Throwable e) {
        Throwable cause = ShardClient.unwrap(e);
        String message = cause instanceof RedisCommandExecutionException ? cause.getMessage() : null;
        return message != null && (message.startsWith("MOVED") || message.startsWith("ASK")
                || message.startsWith("TRYAGAIN"));
    }

    /** Redirected replies seen, whether sent again or not (for tests). */
    long redirects() {
        return redirects.sum();
    }

    /**
     * Runs {@code command} on the link to the master that serves {@code key}'s slot, opened if needed, and sends it
     * again should that master refuse it unexecuted because the slot moves (see the class comment). While a move of
     * the slot holds its commands, the command waits behind them; when the topology names another master for the
     * slot than its last command went to, a move starts with this command.
     */
    <T> CompletionStage<T> run(byte[] key, Function<? super Link, ? extends CompletionStage<T>> command) {
        int slot = SlotHash.getSlot(key);
        RedisClusterNode master;
        try {
            master = masterOf(slot);
        } catch (IllegalStateException e) {
            return CompletableFuture.failedFuture(e);
        }
        Link link;
        boolean opener;
        int generation;
        int seq = 0;
        Move switched;
        CompletionStage<T> held;
        synchronized (lock) {
            if (!moves.isEmpty()) {
                Move move = moves.get(slot);
                if (move != null) {
                    return move.hold(command);
                }
            }
            link = current(ClusterSubscriptions.address(master));
            opener = claimOpening(link);
            Link previous = lastLink[slot];
            switched = null;
            held = null;
            if (previous == null) {
                lastLink[slot] = link;
            } else if (previous != link) {
                // The slot's commands go to another link from here on: those in flight on the previous one answer
                // first, and this one goes alone before the others (see Move).
                switched = new Move(slot, previous, generations[slot]);
                moves.put(slot, switched);
                held = switched.hold(command);
            }
            generation = generations[slot];
            if (switched == null) {
                seq = ++sends[slot];
            }
        }
        if (switched != null) {
            if (opener) {
                open(link, master);
            }
            switched.pollLater();
            return held;
        }
        CompletionStage<Link> ready = link.whenReady();
        if (opener) {
            open(link, master);
        }
        int sent = seq;
        return ready.thenCompose(l -> send(l, slot, generation, sent, command, null));
    }

    /** The link to {@code master}, opened if needed. */
    private CompletionStage<Link> link(RedisClusterNode master) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("Redis Cluster is closed"));
        }
        Link link;
        boolean opener;
        synchronized (lock) {
            link = current(ClusterSubscriptions.address(master));
            opener = claimOpening(link);
        }
        CompletionStage<Link> result = link.whenReady();
        if (opener) {
            open(link, master);
        }
        return result;
    }

    /** The master that serves {@code slot} now; throws when closed, or when none does (asking for a refresh). */
    private RedisClusterNode masterOf(int slot) {
        if (closed) {
            throw new IllegalStateException("Redis Cluster is closed");
        }
        RedisClusterNode master = topology.get().getMasterBySlot(slot);
        if (master == null) {
            refreshTopology.run();
            throw new IllegalStateException("no Redis Cluster master serves slot " + slot);
        }
        return master;
    }

    /** The usable link to {@code address}, or a new one in the map for the caller to open. Called under lock. */
    private Link current(String address) {
        Link link = links.get(address);
        if (link != null && link.usable()) {
            return link;
        }
        Link fresh = new Link(address, link);
        links.put(address, fresh);
        return fresh;
    }

    /** Whether the caller is the one to open {@code link} (the first to get it). Called under lock. */
    private static boolean claimOpening(Link link) {
        if (!link.unopened) {
            return false; // read only: every command comes here, and a write would bounce the line between cores
        }
        link.unopened = false;
        return true;
    }

    /**
     * Sends {@code command} on {@code link} under the slot's {@code generation}; a refusal because the slot moves puts
     * it in the slot's move. {@code entry} is the command's place in a move once it has one, else null.
     */
    private <T> CompletionStage<T> send(Link link, int slot, int generation, int seq,
            Function<? super Link, ? extends CompletionStage<T>> command, Entry<T> entry) {
        CompletionStage<T> sent = command.apply(link);
        return sent.exceptionallyCompose(e -> redirected(e) ? refused(link, slot, generation, seq, command, entry, e)
                : CompletableFuture.failedFuture(e));
    }

    /**
     * A command sent on {@code from} came back refused because its slot moves: it joins the slot's move (one is
     * started if none runs), unless a later command of the slot went elsewhere since it was sent, or its time is up;
     * then it fails with the refusal, as without a move.
     */
    private <T> CompletionStage<T> refused(Link from, int slot, int generation, int seq,
            Function<? super Link, ? extends CompletionStage<T>> command, Entry<T> entry, Throwable e) {
        redirects.increment();
        if (closed) {
            return CompletableFuture.failedFuture(e);
        }
        refreshTopology.run(); // the slot has (or gets) another master; the move waits for the topology to say so
        long now = System.nanoTime();
        Move move;
        Entry<T> retry;
        boolean started = false;
        synchronized (lock) {
            if (generations[slot] != generation || entry != null && now - entry.deadline >= 0) {
                return CompletableFuture.failedFuture(e);
            }
            move = moves.get(slot);
            if (move == null) {
                move = new Move(slot, from, generation);
                moves.put(slot, move);
                started = true;
            }
            retry = entry != null ? entry : new Entry<>(command, now + commandTimeout.toNanos());
            retry.error = ShardClient.unwrap(e);
            retry.seq = seq;
            move.refused(retry, now);
        }
        if (started) {
            move.pollLater();
        }
        return retry.result;
    }

    /** A command in a {@link Move}. */
    private static final class Entry<T> {
        final Function<? super Link, ? extends CompletionStage<T>> command;
        final CompletableFuture<T> result = new CompletableFuture<>();
        /** System.nanoTime() after which it is no longer sent: its first refusal (or hold) plus the command timeout. */
        final long deadline;
        /** Guarded by lock: its last refusal; null while it was never sent. */
        Throwable error;
        /** Guarded by lock: the slot's number of its last send ({@code sends}); 0 while it was never sent. */
        int seq;

        Entry(Function<? super Link, ? extends CompletionStage<T>> command, long deadline) {
            this.command = command;
            this.deadline = deadline;
        }

        void fail(Throwable e) {
            result.completeExceptionally(e);
        }
    }

    /**
     * The commands of one slot refused by the master of its link {@link #from} because the slot moves, and the
     * commands of the slot issued since, which wait behind them; started by the first refusal, or by the first command
     * that finds another master named for its slot than the slot's last command went to, it holds the slot's new
     * commands until it ends. It polls every {@value #POLL_MILLIS} ms until the slot may be tried again: after a
     * {@code MOVED}, once the topology names another master for it, or {@value #REFRESH_MILLIS} ms after the last
     * refusal (the topology may be right, and the refusal came from a master that did not know yet); after only
     * {@code ASK} or {@code TRYAGAIN} (the slot migrates, and the topology names its old master until it is done),
     * {@value #POLL_MILLIS} ms after the last refusal. Then a PING on each connection of {@code from} answers after
     * every command sent on it before, so all their refusals are in, and the first command alone, the probe, goes to
     * the link of the master the topology names. Refused again, it goes back to the front and the move polls on;
     * answered, the move ends: under the lock, the refused commands, in the order of their refusals, and the held
     * ones, in call order, are sent to that link before anything issued after them. Sending one first keeps a master
     * that refuses the slot and then, as it learns the slot is its own, accepts it, from running a later command
     * before an earlier one it refused. A command whose deadline passes fails: with its refusal, or unsent.
     */
    private final class Move {
        final int slot;
        /** Guarded by lock: the link the refused commands were sent on (the probe's, once one was sent). */
        Link from;
        /** Guarded by lock: the slot's generation they were sent under. */
        int generation;
        /** Guarded by lock: refused commands, in the order of their refusals (a refused probe first). */
        final List<Entry<?>> refused = new ArrayList<>();
        /** Guarded by lock: commands issued while the move runs, in call order; never sent yet. */
        final List<Entry<?>> held = new ArrayList<>();
        /** Guarded by lock: the command sent alone to see whether the slot's master takes it; null if none. */
        Entry<?> probe;
        /** Guarded by lock: a refusal was MOVED, so the move waits for the topology. */
        boolean moved;
        /** Guarded by lock: System.nanoTime() of the last refusal. */
        long lastRefusal;
        /** Only touched by the poll: System.nanoTime() of the last refresh the move asked for. */
        long refreshedAt;
        /** Guarded by lock: whether the commands sent after the refused ones were looked at ({@link #screen}). */
        boolean screened;

        Move(int slot, Link from, int generation) {
            this.slot = slot;
            this.from = from;
            this.generation = generation;
            this.refreshedAt = System.nanoTime();
        }

        /** Called under lock. */
        void refused(Entry<?> entry, long now) {
            if (entry == probe) {
                probe = null;
                refused.add(0, entry);
                pollLater();
            } else {
                refused.add(entry);
            }
            lastRefusal = now;
            moved |= entry.error.getMessage().startsWith("MOVED");
        }

        /** A command issued while the move runs; called under lock. */
        <T> CompletionStage<T> hold(Function<? super Link, ? extends CompletionStage<T>> command) {
            Entry<T> entry = new Entry<>(command, System.nanoTime() + commandTimeout.toNanos());
            held.add(entry);
            return entry.result;
        }

        void pollLater() {
            CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS).execute(this::poll);
        }

        private void poll() {
            RedisClusterNode master = topology.get().getMasterBySlot(slot);
            long now = System.nanoTime();
            List<Entry<?>> expired = new ArrayList<>();
            boolean proceed = false;
            boolean ended;
            Link old;
            synchronized (lock) {
                expire(now, closed, expired);
                ended = refused.isEmpty() && held.isEmpty();
                if (ended) {
                    end();
                } else if (master != null) {
                    boolean elsewhere = !ClusterSubscriptions.address(master).equals(from.address);
                    long quiet = now - lastRefusal;
                    // with no refused command left (their time is up) the held ones go where the topology says
                    proceed = elsewhere || refused.isEmpty()
                            || quiet >= TimeUnit.MILLISECONDS.toNanos(moved ? REFRESH_MILLIS : POLL_MILLIS);
                }
                old = from;
            }
            fail(expired);
            if (ended) {
                return;
            }
            if (!proceed) {
                if (now - refreshedAt >= TimeUnit.MILLISECONDS.toNanos(REFRESH_MILLIS)) {
                    refreshedAt = now;
                    refreshTopology.run();
                }
                pollLater();
                return;
            }
            // Every command sent on the old link before its PING has answered (and joined, if refused) by the PING's
            // answer; a dead link's PING fails at once, and what was in flight on it failed too.
            CompletableFuture.allOf(ping(old.commands), ping(old.waitConnection))
                    .whenComplete((v, e) -> sendProbe(master));
        }

        /**
         * Before the first probe, once every command sent on the old link has answered: a refused command must not
         * be sent again if a command of the slot sent after it was not refused, for that one may have run (an
         * SPUBLISH, which names no key, is served by a migrating slot's old master while the scripts of the same
         * channel, which name keys, are refused with ASK or TRYAGAIN). Those refused commands fail with their
         * refusal, as without a move; the ones refused after the last command that was not still go. Called under
         * lock.
         */
        private void screen(List<Entry<?>> expired) {
            if (screened) {
                return;
            }
            screened = true;
            Set<Integer> refusedSeqs = new HashSet<>();
            int first = refused.get(0).seq;
            for (Entry<?> e : refused) {
                refusedSeqs.add(e.seq);
                if (e.seq - first < 0) {
                    first = e.seq;
                }
            }
            int notRefused = first;
            for (int s = sends[slot]; s - first > 0; s--) {
                if (!refusedSeqs.contains(s)) {
                    notRefused = s;
                    break;
                }
            }
            if (notRefused == first) {
                return;
            }
            for (java.util.Iterator<Entry<?>> i = refused.iterator(); i.hasNext();) {
                Entry<?> e = i.next();
                if (e.seq - notRefused < 0) {
                    expired.add(e);
                    i.remove();
                }
            }
        }

        /** Sends the first command alone to {@code master}'s link; the others wait for its answer. */
        private void sendProbe(RedisClusterNode master) {
            List<Entry<?>> expired = new ArrayList<>();
            Link target = null;
            boolean opener = false;
            Entry<?> first = null;
            int sentUnder = 0;
            synchronized (lock) {
                expire(System.nanoTime(), closed, expired);
                if (!refused.isEmpty()) {
                    screen(expired);
                }
                if (!refused.isEmpty() || !held.isEmpty()) {
                    target = current(ClusterSubscriptions.address(master));
                    opener = claimOpening(target);
                    lastLink[slot] = target;
                    sentUnder = ++generations[slot];
                    from = target;
                    generation = sentUnder;
                    first = refused.isEmpty() ? held.remove(0) : refused.remove(0);
                    first.seq = ++sends[slot];
                    probe = first;
                    moved = false; // what the probe's refusal, if any, says next
                } else {
                    end();
                }
            }
            fail(expired);
            if (first != null) {
                CompletionStage<Link> ready = target.whenReady();
                if (opener) {
                    open(target, master);
                }
                Entry<?> sent = first;
                sendAgain(ready, sentUnder, first).whenComplete((v, e) -> probed(sent));
            }
        }

        /**
         * The probe has its outcome (answered, or failed other than by a refusal: a timeout may have run it, and
         * the others come after it anyway): the others go to its link, in order, and the move ends.
         */
        private void probed(Entry<?> answered) {
            List<Entry<?>> expired = new ArrayList<>();
            synchronized (lock) {
                if (probe != answered || moves.get(slot) != this) {
                    return; // refused again and back in the move, or the move was closed
                }
                probe = null;
                end();
                expire(System.nanoTime(), false, expired);
                for (Entry<?> e : refused) {
                    e.seq = ++sends[slot];
                    sendAgain(from.whenReady(), generation, e);
                }
                for (Entry<?> e : held) {
                    e.seq = ++sends[slot];
                    sendAgain(from.whenReady(), generation, e);
                }
                refused.clear();
                held.clear();
            }
            fail(expired);
        }

        /** Sends {@code entry} once {@code ready}, a stage of its own ({@link Link#whenReady}: in call order). */
        private <T> CompletionStage<T> sendAgain(CompletionStage<Link> ready, int generation, Entry<T> entry) {
            int seq = entry.seq;
            ready.thenCompose(l -> send(l, slot, generation, seq, entry.command, entry)).whenComplete((v, e) -> {
                if (e == null) {
                    entry.result.complete(v);
                } else {
                    entry.fail(ShardClient.unwrap(e));
                }
            });
            return entry.result;
        }

        /** Takes this move out of the map. Called under lock. */
        private void end() {
            moves.remove(slot, this);
        }

        /** Takes the entries whose deadline is not after {@code now} (all of them if {@code all}) out of the move. */
        void expire(long now, boolean all, List<Entry<?>> expired) {
            for (List<Entry<?>> list : List.of(refused, held)) {
                for (java.util.Iterator<Entry<?>> i = list.iterator(); i.hasNext();) {
                    Entry<?> e = i.next();
                    if (all || now - e.deadline >= 0) {
                        expired.add(e);
                        i.remove();
                    }
                }
            }
        }

        private void fail(List<Entry<?>> expired) {
            for (Entry<?> e : expired) {
                e.fail(e.error != null ? e.error : new IllegalStateException("Redis Cluster slot " + slot + " is "
                        + "moving to another master: the command waited for the move for redis_read_timeout and was "
                        + "not sent"));
            }
        }
    }

    private static CompletableFuture<?> ping(StatefulRedisConnection<byte[], byte[]> c) {
        if (c == null || !c.isOpen()) {
            return CompletableFuture.completedFuture(null);
        }
        return c.async().ping().toCompletableFuture().exceptionally(e -> null);
    }

    /** Opens the link's connections and learns their servers' run ids; completes or fails {@code link.ready}. */
    private void open(Link link, RedisClusterNode master) {
        Link replaced;
        synchronized (lock) {
            replaced = link.replaced;
            link.replaced = null;
        }
        if (replaced != null) {
            close(replaced);
        }
        var uri = ClusterBackend.uri(master.getUri().getHost(), master.getUri().getPort(), password, commandTimeout);
        nodeClient.connectAsync(CODEC, uri).thenCompose(c -> {
            link.commands = c;
            return link.identity.connected(c);
        }).thenCompose(v -> loadScripts(link.commands)).thenCompose(v -> {
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

    /**
     * Loads every script on a link's server before the link takes commands. Not for speed: a script the server does
     * not know is refused with NOSCRIPT and sent again by source ({@link RedisBackend#eval}), and the commands
     * pipelined behind the refused one run before it is sent again, out of call order; on a fresh link, the first
     * publications of a channel came out of order in history ({@code RedisClusterSlotMoveIT} caught it). A server
     * that refuses SCRIPT LOAD still gets the fallback.
     */
    private static CompletableFuture<Void> loadScripts(StatefulRedisConnection<byte[], byte[]> c) {
        Scripts[] all = Scripts.values();
        CompletableFuture<?>[] loads = new CompletableFuture<?>[all.length];
        for (int i = 0; i < all.length; i++) {
            loads[i] = c.async().scriptLoad(all[i].text(true).source()).toCompletableFuture()
                    .exceptionally(e -> null);
        }
        return CompletableFuture.allOf(loads);
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
     * {@code INFO memory} of every master with slots in the current topology, by its {@code host:port}, each asked on
     * its link (opened if needed), so that no other connection is opened for it.
     */
    CompletionStage<Map<String, String>> memoryInfo() {
        Map<String, CompletableFuture<String>> byMaster = new TreeMap<>();
        for (RedisClusterNode n : topology.get()) {
            if (n.is(RedisClusterNode.NodeFlag.UPSTREAM) && !n.getSlots().isEmpty()) {
                byMaster.put(ClusterSubscriptions.address(n), link(n)
                        .thenCompose(l -> l.commands.async().info("memory")).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(byMaster.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, String> infos = new TreeMap<>();
            byMaster.forEach((address, info) -> infos.put(address, info.join()));
            return infos;
        });
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
                    link(n); // failures show again on use
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
        List<Entry<?>> waiting = new ArrayList<>();
        synchronized (lock) {
            all = new ArrayList<>(links.values());
            links.clear();
            for (Move m : moves.values()) {
                m.expire(0, true, waiting);
            }
            moves.clear();
        }
        all.forEach(ClusterMasters::retire);
        IllegalStateException e = new IllegalStateException("Redis Cluster is closed");
        waiting.forEach(w -> w.fail(w.error != null ? w.error : e));
    }
}
