package dev.rotor.server.sockjs;

import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.ClientSession;
import dev.rotor.node.Node;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Utf16;
import dev.rotor.server.transport.FrameSequencer;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.Outbound;
import dev.rotor.server.transport.OutboundTransport;
import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import dev.rotor.timer.Timers;
import dev.rotor.transport.Transport;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One SockJS session (SockJS 0.3.3) and the core's {@link Transport} for it, named {@code sockjs}. The session
 * outlives HTTP requests: receiving requests attach a {@link SockJsReceiver} one at a time, sending requests hand
 * in messages, and the session ends when the server closes it, when a receiver's connection breaks, or when no
 * receiver has been attached for the disconnect delay.
 *
 * <p>Thread-safe. {@link #write} and {@link #close} may be called from any thread; everything else runs on the
 * session's home event loop (the loop of the request that created it), so session state needs no locks. The queue,
 * batching and drain are {@link Outbound}'s, as for every transport; this class frames: one drain sends everything
 * queued as one {@code a[...]} frame, whose encoding is shared with the other sessions of the loop flushing the same
 * frames ({@link MessageFrameCache}). While no receiver is attached the frames stay queued, and the next receiver's
 * attach flushes them.
 */
final class SockJsSession extends OutboundTransport {
    /** Lifecycle; only touched on {@link #loop}. */
    private enum State { NEW, OPEN, CLOSED }

    private final String id;
    private final EventLoop loop;
    private final Metrics metrics;
    /** The home loop's timer wheel (heartbeats, disconnect delay); only touched on the loop. */
    private final TimerWheel wheel;
    /** The core session's timers, on the same wheel. */
    private final Timers timers;
    private final MessageFrameCache messageFrames;
    /** Null for websocket sessions: they live and die with one connection and are not looked up. */
    private final SockJsSessions registry;
    private final long heartbeatMillis;
    private final long disconnectDelayMillis;
    /** The queue and its drain; closed once either side closes the session, and writes are dropped from then on. */
    /** The close frame of a server close, set before the close task is queued; null until then. */
    private volatile String closing;

    // ---- only touched on loop -------------------------------------------------------------------------------
    /** Null until {@link #start}. */
    private ClientSession client;
    /** Null until {@link #start}. */
    private FrameSequencer inbound;
    /** The answer of the sending request whose messages are still being processed; null when none waits. */
    private Runnable sendWaiter;
    private State state = State.NEW;
    /** The frame every later receiver gets once closed; null while not closed. */
    private String closeFrame;
    /** The attached receiver; null when none. */
    private SockJsReceiver receiver;
    /** Watches the attached receiver's connection; null when none is attached. */
    private ChannelFutureListener receiverWatch;
    /** Heartbeat timer; null when heartbeats are off, disarmed once closed. */
    private Timeout heartbeat;
    /** Wheel-clock time of the next heartbeat. */
    private long nextHeartbeat;
    /** Disconnect delay timer, armed while no receiver is attached; null for websocket sessions. */
    private final Timeout timeout;
    /** The protocol frames of the drain in progress, for its one {@code a[...]} frame; empty between drains. */
    private final List<byte[]> drainFrames = new ArrayList<>();

    /**
     * @param heartbeatSeconds {@code sockjs_heartbeat_delay}; 0 disables heartbeats
     */
    SockJsSession(String id, EventLoop loop, Metrics metrics, MessageFrameCache messageFrames,
            SockJsSessions registry, int heartbeatSeconds, long disconnectDelayMillis, LoopTimers timers) {
        super(loop, null, metrics);
        this.id = id;
        this.loop = loop;
        this.wheel = timers.wheel(loop);
        this.timers = timers.timers(loop);
        this.timeout = registry == null ? null : wheel.newTimeout(this::onTimeout);
        this.metrics = metrics;
        this.messageFrames = messageFrames;
        this.registry = registry;
        this.heartbeatMillis = TimeUnit.SECONDS.toMillis(heartbeatSeconds);
        this.disconnectDelayMillis = disconnectDelayMillis;
    }

    EventLoop loop() {
        return loop;
    }

    String id() {
        return id;
    }

    /** Opens the client session in the core and starts heartbeats. Once, on the loop, before anything else. */
    void start(Node node) {
        start(node, () -> { }, () -> { });
    }

    /**
     * Like {@link #start(Node)}, with hooks run while an incoming frame is processed asynchronously (the websocket
     * transport stops reading its socket meanwhile, as the raw endpoint does).
     */
    void start(Node node, Runnable pauseReading, Runnable resumeReading) {
        // http-api.md: http_sockjs_num_requests counts SockJS sessions
        metrics.inc(Counter.HTTP_SOCKJS_NUM_REQUESTS);
        client = node.openSession(this, timers);
        inbound = new FrameSequencer(client, loop, pauseReading, () -> {
            resumeReading.run();
            releaseSenders();
        });
        if (heartbeatMillis > 0) {
            heartbeat = wheel.newTimeout(this::heartbeat);
            nextHeartbeat = wheel.nanoTime() + TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
            heartbeat.scheduleAt(nextHeartbeat);
        }
    }

    // ---- Transport (any thread; writes and the byte count are OutboundTransport's) ------------------------------------------------------------------------------

    @Override
    public String name() {
        return "sockjs";
    }

    /** §9: {@code c[3000,"<advice JSON>"]} to the attached receiver and to every later one. */
    @Override
    protected void closed(Disconnect disconnect) {
        closing = SockJsFrames.close(3000, disconnect.toJson());
        loop.execute(this::applyClose);
    }

    /**
     * Carries out a {@link #close} on the loop. Also called first by everything on the loop that could answer a
     * receiver, so a request handled before the close task ran still sees the session closed (a drain that runs
     * before it sends nothing: the queue was closed first).
     */
    private void applyClose() {
        if (state == State.CLOSED) {
            return;
        }
        markClosed(closing);
        releaseSenders();
        SockJsReceiver r = receiver;
        if (r != null) {
            detach();
            if (r.send(closeFrame)) {
                r.end();
            }
        } else {
            restartTimeout();
        }
    }

    // ---- on the loop -----------------------------------------------------------------------------------------

    /**
     * Attaches a receiving request: a new session sends {@code o}, an open one flushes what is queued, a closed one
     * answers with its close frame, and a second concurrent receiver gets {@code c[2010,...]}.
     */
    void attach(SockJsReceiver r) {
        if (closing != null) {
            applyClose();
        }
        r.begin();
        if (state == State.CLOSED) {
            if (r.send(closeFrame)) {
                r.end();
            }
            return;
        }
        if (receiver != null) {
            if (r.send(SockJsFrames.ANOTHER_CONNECTION)) {
                r.end();
            }
            return;
        }
        cancelTimeout();
        receiver = r;
        receiverWatch = f -> loop.execute(() -> interrupted(r));
        r.channel().closeFuture().addListener(receiverWatch);
        if (state == State.NEW) {
            state = State.OPEN;
            if (!r.send(SockJsFrames.OPEN)) {
                detach();
                return;
            }
        }
        outbound.attach(r.channel());
    }

    /** A transport failure the client must hear about (e.g. a write timeout): the core closes with advice. */
    void fail(Disconnect disconnect) {
        if (client != null) {
            client.close(disconnect);
        }
    }

    /**
     * Messages of a sending request; each string is one protocol frame (§1.2), processed strictly in order.
     * {@code processed} runs once they have all been handled, so a sending request is answered only then: a client
     * cannot pile up frames behind a slow engine call (as v1, whose SockJS library blocked the send). Messages for a
     * closed session are ignored.
     *
     * <p>Refused (false, nothing processed) while an earlier sending request of this session still waits for its
     * answer. A SockJS client sends its next batch only once the previous one is answered, so only a client that
     * floods one session from several connections gets here, and its messages would otherwise pile up without a
     * bound behind a frame still being processed.
     */
    boolean send(List<String> messages, Runnable processed) {
        if (sendWaiter != null) {
            return false;
        }
        receiveFrames(messages);
        if (state == State.OPEN && inbound.isBusy()) {
            sendWaiter = processed;
        } else {
            processed.run();
        }
        return true;
    }

    /** Messages of the session's websocket, whose reading is paused while a frame is processed: nothing waits. */
    void receiveFrames(List<String> messages) {
        if (state == State.OPEN) {
            for (String m : messages) {
                // A message that is not well-formed UTF-16 (a lone \ud800 escape in the SockJS JSON) has no UTF-8
                // form; encoding it would substitute '?' and could alias another channel. It goes on as an empty
                // frame, which the protocol answers with a fatal "invalid message" (client-protocol.md §3).
                inbound.offer(Utf16.isWellFormed(m) ? m.getBytes(StandardCharsets.UTF_8) : new byte[0]);
            }
        }
    }

    private void releaseSenders() {
        Runnable r = sendWaiter;
        if (r != null) {
            sendWaiter = null;
            r.run();
        }
    }

    // ---- FrameSink: only Outbound calls these, on the loop --------------------------------------------------

    @Override
    public boolean handsOnFlush() {
        return true;
    }

    @Override
    public void writeFrame(byte[] frame) {
        drainFrames.add(frame);
    }

    /** Sends the drain's frames as one {@code a[...]} frame to the attached receiver. */
    @Override
    public void flushFrames() {
        try {
            if (!receiver.sendMessages(messageFrames.messages(drainFrames))) {
                detach();
            }
        } finally {
            drainFrames.clear();
        }
    }

    private void heartbeat() {
        // fixed rate; after a stall, one heartbeat now rather than a burst of missed ones
        nextHeartbeat = Math.max(nextHeartbeat + TimeUnit.MILLISECONDS.toNanos(heartbeatMillis), wheel.nanoTime() + 1);
        heartbeat.scheduleAt(nextHeartbeat);
        if (closing == null && state == State.OPEN && receiver != null && !receiver.send(SockJsFrames.HEARTBEAT)) {
            detach();
        }
    }

    /** The receiver is done; the disconnect delay starts. */
    private void detach() {
        SockJsReceiver r = receiver;
        if (r != null && receiverWatch != null) {
            r.channel().closeFuture().removeListener(receiverWatch);
        }
        receiver = null;
        receiverWatch = null;
        // nobody to send to: the frames wait for the next receiver, whose attach flushes them
        outbound.detach();
        restartTimeout();
    }

    /** The attached receiver's connection closed under it: the session ends without advice. */
    private void interrupted(SockJsReceiver r) {
        if (closing != null) {
            applyClose();
        }
        if (receiver != r) {
            return;
        }
        detach();
        if (state == State.OPEN) {
            endWithoutAdvice(SockJsFrames.INTERRUPTED);
        }
    }

    /** No receiver for the disconnect delay: an open session ends; a closed one is forgotten. */
    private void onTimeout() {
        if (closing != null) {
            applyClose();
        }
        if (receiver != null) {
            return;
        }
        if (state != State.CLOSED) {
            endWithoutAdvice(SockJsFrames.INTERRUPTED);
        }
        if (registry != null) {
            registry.remove(id, this);
        }
    }

    private void endWithoutAdvice(String frame) {
        releaseSenders();
        outbound.close();
        markClosed(frame);
        client.transportClosed();
    }

    private void markClosed(String frame) {
        state = State.CLOSED;
        closeFrame = frame;
        if (heartbeat != null) {
            heartbeat.cancel();
        }
    }

    private void restartTimeout() {
        cancelTimeout();
        if (registry == null) {
            return;
        }
        timeout.schedule(TimeUnit.MILLISECONDS.toNanos(disconnectDelayMillis));
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel();
        }
    }

    @Override
    public String toString() {
        return "SockJsSession[" + id + "]";
    }
}
