package dev.rotor.node;

import dev.rotor.metrics.Counter;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.RawJson;
import dev.rotor.protocol.Reply;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import dev.rotor.transport.WriteBatch;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection speaking the v1 client protocol (client-protocol.md §2–§5) over some {@link Transport}.
 *
 * <p>Thread-safe. Frames must be handed in one at a time: the transport adapter calls {@link #handleFrame} and
 * does not pass the next frame until the returned stage completes (v1 processes a connection's frames strictly in
 * order, §2.2). Pushes arrive from any thread through {@link #deliver}. State changes happen under the session's
 * monitor; engine calls and writes are made outside it.
 *
 * <p>Recovery without duplicates (beyond v1): while a {@code subscribe} with {@code recover} is in flight, the
 * channel's live pushes to this session are held (see {@link #holdPushes}); after the reply frame is written they
 * follow it in order, minus the messages the history read already returned. v1 could deliver such a message twice
 * and out of order: live before the reply and again in the recovered batch.
 */
public final class ClientSession {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);
    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);
    private static final AtomicReferenceFieldUpdater<ClientSession, Counted> COUNTED =
            AtomicReferenceFieldUpdater.newUpdater(ClientSession.class, Counted.class, "counted");

    private final Node node;
    private final Transport transport;
    private final String clientId;
    /** Per-connection limits are fixed when the connection opens (configuration.md §7: "new conns"). */
    private final long queueMaxSize;
    private final int requestMaxSize;
    private final ClientCommands commands;
    /** Runs the stale and expiry timers. */
    private final Timers timers;

    /** True once closed; never reset. Written under {@code this}, read anywhere. */
    private volatile boolean closed;
    /** True between a successful connect and close. Guarded by {@code this}. */
    private boolean authenticated;
    /** Application user id; {@code ""} until connected or when anonymous. Written under {@code this}. */
    private volatile String user = "";
    /** Connection timestamp (Unix seconds) from the last accepted connect/refresh. Guarded by {@code this}. */
    private long timestamp;
    /**
     * Beyond v1: the {@code exp} (Unix seconds) of the JWT the connection was last authenticated with, 0 when the
     * v1 rule {@code timestamp + connection_lifetime} applies instead. Guarded by {@code this}.
     */
    private long tokenExpiresAt;
    /** Raw connect/refresh info, null when none. Guarded by {@code this}. */
    private RawJson defaultInfo;
    /** Subscribed channel → private channel info (null when none), in subscription order. Guarded by {@code this}. */
    private final Map<String, RawJson> channels = new LinkedHashMap<>(4);
    /**
     * Subscribed channel → its subscribe that has not joined yet (§5.3 steps 9–12), see {@link Joining}; a channel
     * in {@link #channels} and not here has joined. Null while there is none, as for most sessions most of the time.
     * Guarded by {@code this}.
     */
    private Map<String, Joining> joining;
    /**
     * True from a subscribe's {@link #addChannel} until the replies of its frame are written (or the session closes):
     * the API's unsubscribe pushes wait in {@link #afterReplies} meanwhile. Written under {@code this}; volatile so
     * that the end of a frame without a subscribe skips the monitor.
     */
    private volatile boolean repliesOwed;
    /** Pushes waiting for the replies of the frame in flight, in order; null when none. Guarded by {@code this}. */
    private List<byte[]> afterReplies;
    /** Pending stale timer; null once connected or closed. Guarded by {@code this}. */
    private Timers.Cancellable staleTimer;
    /** Pending expiry timer; null when the connection does not expire. Guarded by {@code this}. */
    private Timers.Cancellable expiryTimer;
    /**
     * Channel → its held pushes or recovery filter, see {@link Hold}; null while there is none, as for most sessions
     * most of the time (an empty map would cost every connection 48 bytes). Guarded by {@code this}.
     */
    private Map<String, Hold> holds;
    /**
     * Bytes of all held pushes and of the pushes waiting in {@link #afterReplies}, counted against
     * {@code client_queue_max_size}. Guarded by {@code this}.
     */
    private long heldBytes;
    /** Uids kept by the filters of released holds, at most {@link Hold#SESSION_FILTER_MAX}. Guarded by {@code this}. */
    private int filterUids;
    /** True while {@link #holds} is not null: the fan-out's fast path skips the monitor otherwise. */
    private volatile boolean holding;
    /** This session's queue as {@link ClientQueueBudget} counts it; null until the queue first passes its floor. */
    private volatile Counted counted;

    ClientSession(Node node, Transport transport, NodeConfig config, Timers timers) {
        this.node = node;
        this.timers = timers;
        this.transport = transport;
        this.clientId = UUID.randomUUID().toString();
        this.queueMaxSize = config.clientQueueMaxSize();
        this.requestMaxSize = config.clientRequestMaxSize();
        this.commands = new ClientCommands(node, this);
        int stale = config.staleConnectionCloseDelay();
        if (stale > 0) {
            staleTimer = timers.schedule(this::onStale, stale, TimeUnit.SECONDS);
        }
    }

    public String clientId() {
        return clientId;
    }

    public String user() {
        return user;
    }

    public boolean isClosed() {
        return closed;
    }

    public synchronized boolean isAuthenticated() {
        return authenticated;
    }

    /** Name of the transport this session runs on. */
    public String transportName() {
        return transport.name();
    }

    /**
     * Handles one protocol frame: decodes it, executes its commands in order and writes the replies as one frame.
     * A fatal error sends no reply for the frame and closes the connection (§2.2).
     *
     * @return a stage completing when the frame is fully processed; it never completes exceptionally
     */
    public CompletionStage<Void> handleFrame(byte[] frame) {
        if (closed) {
            return DONE;
        }
        long started = System.nanoTime();
        node.metrics().inc(Counter.CLIENT_API_NUM_REQUESTS);
        node.metrics().add(Counter.CLIENT_BYTES_IN, frame.length);
        List<Command> cmds;
        try {
            // §3 frame-level checks, in order
            if (frame.length == 0) {
                throw ProtocolException.invalid();
            }
            if (frame.length > requestMaxSize) {
                throw new ProtocolException(ProtocolError.LIMIT_EXCEEDED);
            }
            cmds = CommandDecoder.decode(frame, false);
        } catch (ProtocolException e) {
            fatal(e.error());
            return DONE;
        }
        // The replies are encoded as they come, and the frame is given up once it no longer fits the queue: a frame
        // of many history or presence commands would otherwise build a reply of any size before send() checked it
        // (v1 built it whole, then closed the client as slow). The outcome is v1's; the memory is bounded.
        Reply.Frame replies = new Reply.Frame(cmds.size());
        CompletionStage<Void> chain = DONE;
        for (Command cmd : cmds) {
            chain = chain.thenCompose(v -> closed ? DONE : commands.execute(cmd).thenAccept(reply -> {
                replies.add(reply);
                overflows(replies.length());
            }));
        }
        return chain.handle((v, error) -> {
            node.metrics().recordClientApiMicros((System.nanoTime() - started) / 1000);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null
                        ? error.getCause() : error;
                if (cause instanceof ProtocolException pe) {
                    fatal(pe.error());
                } else {
                    log.error("client {}: unexpected error handling a frame", clientId, cause);
                    fatal(ProtocolError.INTERNAL_SERVER_ERROR);
                }
            } else if (!closed && replies.count() == cmds.size()) {
                send(replies.toByteArray());
                releaseHolds();
                if (repliesOwed) {
                    sendAfterReplies();
                }
            }
            return null;
        });
    }

    private void fatal(ProtocolError error) {
        // the one log line for a protocol violation; the client gets the reason in the close advice
        log.info("closing client {} (user {}): {}", clientId, user, error.text());
        close(Disconnect.forError(error));
    }

    /** Writes a frame to the client; closes the connection as {@code slow} when its queue grows past the limit. */
    void send(byte[] frame) {
        send(frame, null);
    }

    /** Like {@link #send(byte[])}; with a batch, the transport may defer its flush task to the batch. */
    private void send(byte[] frame, WriteBatch batch) {
        if (closed) {
            return;
        }
        if (overflows(frame.length)) {
            return;
        }
        if (batch == null) {
            transport.write(frame);
        } else {
            transport.write(frame, batch);
        }
        node.metrics().inc(Counter.CLIENT_NUM_MSG_QUEUED);
        node.metrics().add(Counter.CLIENT_BYTES_OUT, frame.length);
    }

    /**
     * §10: whether {@code bytes} more would take the queue past {@code client_queue_max_size}; if so the connection
     * is closed as {@code slow}. The check includes the frame being added: a frame that would overflow the queue is
     * not written at all, since closing discards queued frames anyway. Beyond v1, a queue past the budget's floor
     * also counts against {@code client_queue_budget}, which may close this or other clients (see
     * {@link ClientQueueBudget}).
     */
    private boolean overflows(long bytes) {
        long queued = transport.queuedBytes() + bytes;
        if (queued > queueMaxSize) {
            close(Disconnect.SLOW);
            return true;
        }
        Counted c = counted;
        if (c == null ? queued <= ClientQueueBudget.FLOOR : !ClientQueueBudget.mustReport(c, queued)) {
            return false;
        }
        return node.clientQueueBudget().report(c != null ? c : counted(), queued);
    }

    /** This session's queue as the budget counts it, made on its first report. */
    private Counted counted() {
        Counted c = new Counted();
        return COUNTED.compareAndSet(this, null, c) ? c : counted;
    }

    /** The bytes the budget counts this session's queue at; 0 while it does not count it. */
    long queueCountedAt() {
        Counted c = counted;
        return c == null ? 0 : ClientQueueBudget.countedAt(c);
    }

    /**
     * This session's queue against {@code client_queue_budget}: a separate object, made only for a session whose
     * queue once passed the budget's floor, so that every other session stays as small as before the budget.
     */
    private final class Counted extends ClientQueueBudget.CountedQueue {
        @Override
        protected long queuedBytes() {
            return transport.queuedBytes();
        }

        @Override
        protected boolean isClosed() {
            return closed;
        }

        /**
         * Over {@code client_queue_budget} with one of the largest queues: closed as slow, as over its own limit, and
         * the connection dropped at once, so that its queue is freed now rather than after the close's deadline.
         */
        @Override
        protected void closeOverBudget() {
            close(Disconnect.SLOW, true);
        }
    }

    /** Delivers a push encoded once for all subscribers (the bytes are shared, never modified). */
    public void deliver(byte[] frame) {
        send(frame);
    }

    /**
     * Delivers a push of a fan-out; the transport may leave its flush to {@code batch}, which the caller runs after
     * the fan-out. The frame keeps its place among this connection's other frames (see {@link WriteBatch}).
     */
    public void deliver(byte[] frame, WriteBatch batch) {
        send(frame, batch);
    }

    /**
     * Delivers a push of a channel's fan-out, like {@link #deliver(byte[], WriteBatch)}, unless a subscribe with
     * recovery of that channel holds it or finds it in the history it returned.
     *
     * @param messageUid the uid of a message push; null for join and leave
     */
    void deliver(String channel, String messageUid, byte[] frame, WriteBatch batch) {
        if (holding) {
            boolean overflow = false;
            synchronized (this) {
                Hold hold = holds == null ? null : holds.get(channel);
                if (hold != null && !hold.released) {
                    // §10's bound, held bytes included: a subscriber of a busy channel cannot grow this unbounded
                    if (transport.queuedBytes() + heldBytes + frame.length > queueMaxSize) {
                        overflow = true;
                    } else {
                        hold.pushes.add(new Held(messageUid, frame));
                        heldBytes += frame.length;
                        return;
                    }
                } else if (hold != null) {
                    boolean passes = hold.passes(messageUid);
                    if (!hold.filtering()) {
                        removeHold(channel);
                    }
                    if (!passes) {
                        return;
                    }
                }
            }
            if (overflow) {
                // as if the held pushes had gone to the queue (v1's rule for a full queue); dropping them instead
                // would lose acknowledged messages silently, the close tells the client, and history still has them
                close(Disconnect.SLOW);
                return;
            }
        }
        send(frame, batch);
    }

    /**
     * Delivers an {@code unsubscribe} push of the API (http-api.md §4.3) after the replies of the frame in flight when
     * that frame subscribes; at once otherwise.
     */
    void deliverAfterReplies(byte[] push) {
        // v1 compat: v1 ran a connection's commands under its lock and the node's unsubscribe took the same lock, so
        // the push of an unsubscribe that ended a subscribe in flight came after the subscribe's reply, and the client
        // ended unsubscribed; sent at once, it came first and the client took the later reply for a subscription
        if (repliesOwed) {
            boolean overflow = false;
            synchronized (this) {
                if (repliesOwed) {
                    // §10's bound, as for held pushes: the API can repeat an unsubscribe for as long as a frame
                    // takes, and every call adds a push (v1 sends it subscribed or not)
                    if (transport.queuedBytes() + heldBytes + push.length > queueMaxSize) {
                        overflow = true;
                    } else {
                        if (afterReplies == null) {
                            afterReplies = new ArrayList<>(2);
                        }
                        afterReplies.add(push);
                        heldBytes += push.length;
                        return;
                    }
                }
            }
            if (overflow) {
                close(Disconnect.SLOW);
                return;
            }
        }
        send(push);
    }

    /**
     * After the reply frame: writes the pushes that waited for it, in order. Pushes arriving meanwhile still wait
     * and are written here too, so none overtakes another.
     */
    private void sendAfterReplies() {
        while (true) {
            List<byte[]> out;
            synchronized (this) {
                out = afterReplies;
                afterReplies = null;
                if (out == null) {
                    repliesOwed = false;
                    return;
                }
                for (byte[] push : out) {
                    heldBytes -= push.length;
                }
            }
            for (byte[] push : out) {
                send(push);
            }
        }
    }

    // ---- held pushes during recovery ---------------------------------------------------------------------------

    /**
     * Holds the channel's live pushes from now until the reply frame of the current command frame is written; call
     * before the session is registered as the channel's subscriber.
     */
    synchronized void holdPushes(String channel) {
        if (!closed) {
            if (holds == null) {
                holds = new HashMap<>(2);
            }
            holds.put(channel, new Hold());
            holding = true;
        }
    }

    /**
     * Records what the history read of a recovering subscribe returned (newest first; empty when it failed): held
     * and later live messages found in it are not delivered again.
     */
    synchronized void recoveredFrom(String channel, List<Message> history) {
        Hold hold = holds == null ? null : holds.get(channel);
        if (hold != null && !history.isEmpty()) {
            hold.recovered = new HashSet<>(history.size() * 2);
            for (Message m : history) {
                hold.recovered.add(m.uid());
            }
            hold.newest = history.get(0).uid();
            hold.kept = new ArrayList<>(Hold.FILTER_MAX);
            for (Message m : history.subList(0, Math.min(history.size(), Hold.FILTER_MAX))) {
                hold.kept.add(m.uid());
            }
        }
    }

    /** After the reply frame: writes every held push in order, minus those the recovered history returned. */
    private void releaseHolds() {
        if (!holding) {
            return;
        }
        List<String> released = new ArrayList<>();
        synchronized (this) {
            if (holds == null) {
                return;
            }
            holds.forEach((channel, hold) -> {
                if (!hold.releasing && !hold.released) {
                    hold.releasing = true;
                    released.add(channel);
                }
            });
        }
        for (String channel : released) {
            drain(channel);
        }
    }

    /**
     * Writes a released hold's pushes outside the monitor; pushes arriving meanwhile join the queue, so they keep
     * their order behind the held ones. Ends when the queue is empty: the hold goes, or stays as a filter.
     */
    private void drain(String channel) {
        while (true) {
            List<byte[]> out = new ArrayList<>();
            synchronized (this) {
                Hold hold = holds == null ? null : holds.get(channel);
                if (hold == null || !hold.releasing) {
                    return;
                }
                if (hold.pushes.isEmpty()) {
                    hold.releasing = false;
                    hold.released = true;
                    int keep = hold.filtering()
                            ? Math.min(hold.kept.size(), Hold.SESSION_FILTER_MAX - filterUids) : 0;
                    if (keep > 0) {
                        hold.recovered = new HashSet<>(hold.kept.subList(0, keep));
                        hold.charged = keep;
                        filterUids += keep;
                        hold.kept = null;
                    } else {
                        removeHold(channel);
                    }
                    return;
                }
                for (Held h; (h = hold.pushes.poll()) != null; ) {
                    heldBytes -= h.frame.length;
                    if (hold.passes(h.messageUid)) {
                        out.add(h.frame);
                    }
                }
            }
            for (byte[] frame : out) {
                send(frame);
            }
        }
    }

    /** Guarded by {@code this}. */
    private void removeHold(String channel) {
        if (holds == null) {
            return;
        }
        Hold hold = holds.remove(channel);
        if (hold != null) {
            for (Held h : hold.pushes) {
                heldBytes -= h.frame.length;
            }
            filterUids -= hold.charged;
        }
        if (holds.isEmpty()) {
            holds = null;
        }
        holding = holds != null;
    }

    /** One live push held back. */
    private record Held(String messageUid, byte[] frame) {
    }

    /**
     * The live pushes of one channel while its recovering subscribe is in flight, then (once released) a filter
     * dropping the live messages the history read returned. Those can still arrive after the reply (with Redis the
     * history and the pub/sub stream travel on different connections), but only as the first messages of the
     * stream, as publications reach history and pub/sub in the same order: the first live message not in that
     * history ends the filter, and so does the newest one of it. Held pushes are bounded by the queue limit and
     * checked against the whole history read; the filter left afterwards keeps the newest {@link #FILTER_MAX} uids
     * of it, within {@link #SESSION_FILTER_MAX} for the session, so a quiet channel's filter costs little while it
     * waits (a message lagging further behind on the pub/sub stream would be delivered again). It goes with the
     * subscription.
     */
    private static final class Hold {
        /** Uids a filter keeps: a lag of this many publications on one channel is far beyond a Redis round trip. */
        static final int FILTER_MAX = 16;
        /** Uids all filters of one session keep together; a peer subscribing to many channels gets no more. */
        static final int SESSION_FILTER_MAX = 64;

        final ArrayDeque<Held> pushes = new ArrayDeque<>();
        /** Uids of the history read; null when it returned nothing (or has not returned yet). */
        Set<String> recovered;
        /** Uid of the newest message of the history read. */
        String newest;
        /** The newest {@link #FILTER_MAX} uids of the history read, the filter once released; null then. */
        List<String> kept;
        /** Uids this filter holds of the session's {@code filterUids}. */
        int charged;
        /** True while {@link #drain} writes the queue. */
        boolean releasing;
        /** True once drained: only the filter is left. */
        boolean released;

        boolean filtering() {
            return recovered != null;
        }

        /** Whether a push goes to the client; a message passing (or the newest recovered one) ends the filter. */
        boolean passes(String messageUid) {
            if (messageUid == null || recovered == null) {
                return true;
            }
            if (recovered.contains(messageUid)) {
                if (messageUid.equals(newest)) {
                    recovered = null;
                }
                return false;
            }
            recovered = null;
            return true;
        }
    }

    // ---- state used by ClientCommands -------------------------------------------------------------------------

    /** Client info for a channel (§6.1). */
    synchronized ClientInfo info(String channel) {
        return new ClientInfo(user, clientId, defaultInfo, channel == null ? null : channels.get(channel));
    }

    synchronized boolean isSubscribed(String channel) {
        return channels.containsKey(channel);
    }

    synchronized int channelCount() {
        return channels.size();
    }

    synchronized long timestamp() {
        return timestamp;
    }

    /**
     * Marks the session authenticated; false when it already is or was closed meanwhile.
     *
     * @param tokenExpiresAt the JWT's {@code exp}, 0 for the v1 lifetime rule
     */
    synchronized boolean authenticate(String user, long timestamp, RawJson info, long expireAfterSeconds,
            long tokenExpiresAt) {
        if (authenticated || closed) {
            return false;
        }
        this.authenticated = true;
        this.user = user;
        this.timestamp = timestamp;
        this.tokenExpiresAt = tokenExpiresAt;
        this.defaultInfo = info;
        if (staleTimer != null) {
            staleTimer.cancel();
            staleTimer = null;
        }
        scheduleExpiry(expireAfterSeconds);
        return true;
    }

    /** Applies an accepted refresh (§5.2 step 4). */
    synchronized void refreshed(long timestamp, RawJson info, long expireAfterSeconds, long tokenExpiresAt) {
        if (closed) {
            return;
        }
        this.timestamp = timestamp;
        this.tokenExpiresAt = tokenExpiresAt;
        if (info != null) {
            this.defaultInfo = info;
        }
        scheduleExpiry(expireAfterSeconds);
    }

    /** Guarded by {@code this}. */
    private void scheduleExpiry(long seconds) {
        if (expiryTimer != null) {
            expiryTimer.cancel();
            expiryTimer = null;
        }
        if (seconds > 0) {
            expiryTimer = timers.schedule(this::onExpiry, seconds, TimeUnit.SECONDS);
        }
    }

    /** Records a new subscription, not joined yet; false when closed meanwhile or already subscribed. */
    synchronized boolean addChannel(String channel, RawJson channelInfo) {
        if (closed || channels.containsKey(channel)) {
            return false;
        }
        channels.put(channel, channelInfo);
        if (joining == null) {
            joining = new HashMap<>(2);
        }
        joining.put(channel, new Joining());
        repliesOwed = true;
        return true;
    }

    /**
     * Records that this client's presence in the channel was written (by its subscribe or a presence refresh).
     * False when the subscription ended or the session closed meanwhile: whoever ended it did not know of this
     * presence, and the caller removes it again.
     */
    synchronized boolean presenceAdded(String channel) {
        if (closed || !channels.containsKey(channel)) {
            return false;
        }
        Joining j = joining == null ? null : joining.get(channel);
        if (j != null) {
            j.presenceAdded = true;
        }
        return true;
    }

    /**
     * Starts the join of a subscription (§5.3 step 12): the caller publishes the join now, outside the monitor, then
     * calls {@link #joined}. Null when the subscription ended or the session closed meanwhile: no join then, and its
     * end published no leave.
     */
    synchronized Joining startJoin(String channel) {
        Joining j = joining == null ? null : joining.get(channel);
        if (closed || j == null) {
            return null;
        }
        j.publishing = true;
        return j;
    }

    /**
     * Ends a join {@link #startJoin} started: the subscription has joined. True when it ended while its join was
     * being published: its end left the leave to the caller, who publishes it now, after the join.
     */
    synchronized boolean joined(String channel, Joining j) {
        if (joining != null && joining.get(channel) == j) {
            removeJoining(channel);
            return false;
        }
        return j.leaveOwed;
    }

    /**
     * Removes a subscription and returns what its end has to undo, or null when not subscribed. A subscription whose
     * join is being published leaves its leave to the publisher of the join (see {@link #joined}), so that the leave
     * never overtakes the join.
     */
    synchronized Unsubscribed removeChannel(String channel) {
        if (!channels.containsKey(channel)) {
            return null;
        }
        ClientInfo info = new ClientInfo(user, clientId, defaultInfo, channels.remove(channel));
        removeHold(channel);
        Joining j = joining == null ? null : joining.get(channel);
        if (j == null) {
            return new Unsubscribed(info, true, true);
        }
        removeJoining(channel);
        j.leaveOwed = j.publishing;
        return new Unsubscribed(info, j.presenceAdded, false);
    }

    /** Guarded by {@code this}. */
    private void removeJoining(String channel) {
        joining.remove(channel);
        if (joining.isEmpty()) {
            joining = null;
        }
    }

    /**
     * What the end of a subscription has to undo (§5.4 step 3) besides the hub and the engine.
     *
     * @param info          the client info its leave carries
     * @param presenceAdded whether its presence may have been written: remove it (when the channel has presence)
     * @param joined        whether its join was published: publish its leave (when the channel has join_leave)
     */
    record Unsubscribed(ClientInfo info, boolean presenceAdded, boolean joined) {
    }

    /**
     * A subscribe of this session that has not joined yet: from {@link #addChannel} until its join is published, or
     * its subscription ends first. Guarded by the session.
     */
    static final class Joining {
        /** True once this client's presence in the channel was written. */
        private boolean presenceAdded;
        /** True once the subscriber publishes the join. */
        private boolean publishing;
        /** True when the subscription ended while its join was being published: the publisher owes the leave. */
        private boolean leaveOwed;
    }

    /** Snapshot of subscribed channels. */
    synchronized List<String> channels() {
        return new ArrayList<>(channels.keySet());
    }

    // ---- timers ------------------------------------------------------------------------------------------------

    private void onStale() {
        synchronized (this) {
            staleTimer = null;
            if (authenticated || closed) {
                return;
            }
        }
        close(Disconnect.STALE);
    }

    /** §5.1 "Expiry timer firing"; a JWT's {@code exp} replaces {@code timestamp + connection_lifetime}. */
    private void onExpiry() {
        int lifetime = node.config().connectionLifetime();
        long deadline;
        synchronized (this) {
            expiryTimer = null;
            if (closed) {
                return;
            }
            if (tokenExpiresAt > 0) {
                deadline = tokenExpiresAt;
            } else if (lifetime > 0) {
                deadline = timestamp + lifetime;
            } else {
                return;
            }
        }
        if (deadline - node.nowSeconds() > 0) {
            return;
        }
        close(Disconnect.EXPIRED);
    }

    // ---- close -------------------------------------------------------------------------------------------------

    /** Server-initiated close with advice (§9). Idempotent. */
    public void close(Disconnect disconnect) {
        close(disconnect, false);
    }

    /** {@link #close(Disconnect)}, with the connection dropped at once when {@code drop} ({@link Transport#closeAndDrop}). */
    private void close(Disconnect disconnect, boolean drop) {
        if (terminate()) {
            if (drop) {
                transport.closeAndDrop(disconnect);
            } else {
                transport.close(disconnect);
            }
            cleanUp();
        }
    }

    /** The transport went away (client close or network failure): clean up without sending advice. */
    public void transportClosed() {
        if (terminate()) {
            cleanUp();
        }
    }

    private boolean terminate() {
        synchronized (this) {
            if (closed) {
                return false;
            }
            closed = true;
            holds = null;
            heldBytes = 0;
            filterUids = 0;
            holding = false;
            repliesOwed = false;
            afterReplies = null;
            if (staleTimer != null) {
                staleTimer.cancel();
                staleTimer = null;
            }
            if (expiryTimer != null) {
                expiryTimer.cancel();
                expiryTimer = null;
            }
        }
        return true;
    }

    /** §3 "What happens on close": unsubscribe everything, then leave the node's registry. */
    private void cleanUp() {
        List<String> subscribed;
        boolean wasAuthenticated;
        synchronized (this) {
            subscribed = new ArrayList<>(channels.keySet());
            wasAuthenticated = authenticated;
        }
        for (String channel : subscribed) {
            Unsubscribed ended = removeChannel(channel);
            if (ended != null) {
                node.unsubscribeSession(this, channel, ended).exceptionally(e -> {
                    log.warn("client {}: unsubscribe from {} on close failed: {}", clientId, channel, e.toString());
                    return null;
                });
            }
        }
        if (wasAuthenticated) {
            node.removeClient(this);
        }
        Counted c = counted;
        if (c != null) {
            node.clientQueueBudget().forget(c);
        }
        node.sessionClosed(this);
    }

    @Override
    public String toString() {
        return "ClientSession[" + clientId + ", user=" + user + "]";
    }
}
