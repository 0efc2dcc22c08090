package dev.rotor.server.transport;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * The one owner of a channel's {@code autoRead} flag: several independent reasons may pause reading from a peer
 * (a frame still being processed, outbound bytes past the write-buffer high water mark, the server-wide budget
 * for request bodies), and the socket is read again only when none of them holds. Toggling {@code autoRead}
 * directly from two places would let one reason resume reading that another one paused.
 *
 * <p>It also keeps an HTTP connection's answers in the order of its requests (HTTP/1.1 pairs them by order only):
 * an answer written later than its request's handling ({@link #holdAnswer}: an engine call, a SockJS send waiting
 * for its frames, a held login) makes the requests that arrive meanwhile wait ({@link #defer}), with reading paused,
 * until it is written ({@link #answerWritten}). Requests wait the same way while the channel is not writable
 * ({@link #mustWait}), until the peer has read enough ({@link #writable}): pausing reading stops new bytes, but the
 * requests already decoded from the last read would otherwise all be answered at once, and a few kilobytes of
 * pipelined requests for a large answer (a web interface asset, {@code /metrics}) made the server hold megabytes
 * for a peer that reads nothing. Nothing changes for a connection while no answer is held and it is writable.
 *
 * <p>Confined to the channel's event loop: everything but {@link #answerWritten} must be called there.
 */
public final class ReadGate {
    /** A frame is being processed asynchronously; later frames wait (client-protocol.md §2.2). */
    public static final int PROCESSING = 1;
    /** The channel is not writable: the peer does not read what we send, so we stop reading what it sends. */
    public static final int UNWRITABLE = 1 << 1;
    /** The server-wide budget for buffered request bodies is spent. */
    public static final int BODY_BUDGET = 1 << 2;
    /** Requests wait for an answer held back ({@link #defer}): an engine call, a SockJS send, a throttled login. */
    public static final int HELD_ANSWER = 1 << 3;

    private static final AttributeKey<ReadGate> KEY = AttributeKey.valueOf(ReadGate.class, "gate");

    private final Channel channel;
    /** Answers held and not yet written; only touched on the event loop. */
    private int answersHeld;
    /** Requests that must wait, in order; null until first needed. On the event loop. */
    private ArrayDeque<Waiting> deferred;
    /** The reasons currently holding reading paused, one bit each; only touched on the event loop. */
    private int paused;
    /** True while a task to handle the waiting requests is queued ({@link #writable}). On the event loop. */
    private boolean drainQueued;

    /** A request that waits its turn ({@link #defer}). */
    public interface Waiting {
        /** Its turn came: handle it. */
        void handle();

        /** The connection closed first: let go of it unhandled. */
        void drop();
    }

    private ReadGate(Channel channel) {
        this.channel = channel;
    }

    /** The channel's gate if it has one, else null (no reason was ever given). On the channel's event loop. */
    public static ReadGate existing(Channel channel) {
        // hasAttr does not create the attribute's entry, as attr() would on a connection's first request
        return channel.hasAttr(KEY) ? channel.attr(KEY).get() : null;
    }

    /** The channel's gate, created on first use. On the channel's event loop. */
    public static ReadGate of(Channel channel) {
        ReadGate gate = channel.attr(KEY).get();
        if (gate == null) {
            gate = new ReadGate(channel);
            channel.attr(KEY).set(gate);
        }
        return gate;
    }

    /** Stops reading for {@code reason} (one of the constants); idempotent per reason. */
    public void pause(int reason) {
        boolean wasOpen = paused == 0;
        paused |= reason;
        if (wasOpen) {
            channel.config().setAutoRead(false);
        }
    }

    /** On the loop: an answer of this connection will be written later; {@link #answerWritten} must follow. */
    public void holdAnswer() {
        answersHeld++;
    }

    /** On the loop: whether a request arriving now must wait for an earlier answer ({@link #defer}). */
    public boolean answerHeld() {
        return answersHeld > 0 || (deferred != null && !deferred.isEmpty());
    }

    /**
     * On the channel's loop: whether a request arriving now must wait ({@link #defer}), for an earlier answer or for
     * the peer to read what it was sent. Creates no gate for a connection that needs none.
     */
    public static boolean mustWait(Channel channel) {
        if (!channel.isWritable()) {
            return true;
        }
        ReadGate gate = existing(channel);
        return gate != null && gate.answerHeld();
    }

    /**
     * On the loop: keeps a request that must wait ({@link #mustWait}) to be handled, in arrival order, once the held
     * answers are written and the channel is writable; reading pauses meanwhile, so what waits here is at most the
     * requests already decoded from the last read.
     */
    public void defer(Waiting handle) {
        if (deferred == null) {
            deferred = new ArrayDeque<>(2);
        }
        deferred.add(handle);
        pause(HELD_ANSWER);
    }

    /**
     * Ends a {@link #holdAnswer}: call it from any thread right after writing the held answer. Off the loop, that
     * write went to the loop as a task and this continues in a task queued behind it, so the requests that waited
     * are handled, and answered, after the held answer. Reading resumes once none waits. An answer completed after
     * the loop shut down has no one left to answer.
     */
    public void answerWritten() {
        if (!channel.eventLoop().inEventLoop()) {
            try {
                channel.eventLoop().execute(this::answerWritten);
            } catch (RejectedExecutionException shutDown) {
                // the loop is gone, and its channels with it: nothing waits for this answer any more
            }
            return;
        }
        answersHeld--;
        runDeferred();
    }

    /**
     * On the loop: the channel became writable again; lifts {@link #UNWRITABLE}, and handles what waited for it in a
     * task of its own: the writability event may come from inside a flush, and answers written from there would be
     * written by a flush that is already under way, or not until the next one.
     */
    public void writable() {
        resume(UNWRITABLE);
        if (deferred != null && !deferred.isEmpty() && !drainQueued) {
            drainQueued = true;
            try {
                channel.eventLoop().execute(() -> {
                    drainQueued = false;
                    runDeferred();
                });
            } catch (RejectedExecutionException shutDown) {
                drainQueued = false; // the loop is gone, and its channels with it
            }
        }
    }

    private void runDeferred() {
        Waiting next;
        while (answersHeld == 0 && channel.isWritable() && deferred != null && (next = deferred.poll()) != null) {
            next.handle(); // may hold an answer again, or fill the channel: the rest then waits for that
        }
        if (deferred == null || deferred.isEmpty()) {
            resume(HELD_ANSWER);
        }
    }

    /**
     * On the loop: the connection closed; the requests still waiting are dropped unanswered (nobody can read their
     * answers, and none was acknowledged).
     */
    public void closed() {
        Waiting next;
        while (deferred != null && (next = deferred.poll()) != null) {
            next.drop();
        }
    }

    /** Lifts {@code reason}; reading resumes once no other reason holds. */
    public void resume(int reason) {
        if ((paused & reason) == 0) {
            return;
        }
        paused &= ~reason;
        if (paused == 0) {
            channel.config().setAutoRead(true);
        }
    }

    /** True while any reason holds reading paused. */
    public boolean isPaused() {
        return paused != 0;
    }

    /** True while {@code reason} holds. */
    public boolean isPaused(int reason) {
        return (paused & reason) != 0;
    }
}
