package dev.rotor.sdk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.protocol.TreeDecoding;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Message;
import dev.rotor.sdk.client.ChannelSign;
import dev.rotor.sdk.client.ConnectionListener;
import dev.rotor.sdk.client.RotorClientException;
import dev.rotor.sdk.client.Subscription;
import dev.rotor.sdk.client.SubscriptionListener;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A subscription of a {@link RealRotorClient}. Thread-safe: mutable fields are guarded by the client's lock, and
 * listener calls go through the client's callback executor after the lock is released.
 *
 * <p>Recovery (client-protocol.md §5.3 step 11): {@link #lastUid} is the uid of the newest message this
 * subscription has seen, or the {@code last} the server reported on the first subscribe. A resubscribe sends
 * {@code recover: true} with it; the reply's {@code messages} (newest first) are delivered oldest first, then
 * whatever pushes arrived while the subscribe was in flight, so the application sees every message once, in order.
 */
final class SubscriptionImpl implements Subscription {
    private final RealRotorClient client;
    private final String channel;
    private final SubscriptionListener listener;

    /** Guarded by client.lock. */
    private State state = State.UNSUBSCRIBED;
    /** Guarded by client.lock; bumped on every subscribe attempt so that late replies of older ones are ignored. */
    private int epoch;
    /** Guarded by client.lock; true once any subscribe succeeded (later ones are resubscribes). */
    private boolean everSubscribed;
    /** Guarded by client.lock; null until the first subscribe reply; "" when the channel had no history then. */
    private String lastUid;
    /** Guarded by client.lock; completes on the next success; replaced once done and a new attempt starts. */
    private CompletableFuture<Void> ready = new CompletableFuture<>();
    /**
     * Guarded by client.lock; channel commands attached to {@link #ready} while it was incomplete, at most
     * {@link RealRotorClient#MAX_QUEUED_CALLBACKS}. Reset when {@code ready} is replaced, which happens only once it
     * is done and has let go of them, so this is the number of dependents it holds (or a few more, for those that
     * attached while it completed).
     */
    private int waitingForReady;
    /**
     * Guarded by client.lock; pushes (messages, joins, leaves) received while SUBSCRIBING, delivered after the reply.
     * At most {@link RealRotorClient#MAX_QUEUED_CALLBACKS}: one more ends the connection (see {@link #onPush}).
     */
    private final List<Runnable> buffered = new ArrayList<>();
    /**
     * Guarded by client.lock; uids of messages in {@link #buffered}. A set: each of the reply's recovered messages
     * is looked up in it under the lock, and a list made a large recovery hold the lock for a time quadratic in its size.
     */
    private final Set<String> bufferedUids = new HashSet<>();
    /** Guarded by client.lock; the uid of the newest message in {@link #buffered}, null when it holds none. */
    private String lastBufferedUid;

    SubscriptionImpl(RealRotorClient client, String channel, SubscriptionListener listener) {
        this.client = client;
        this.channel = channel;
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    @Override
    public String channel() {
        return channel;
    }

    @Override
    public State state() {
        synchronized (client.lock) {
            return state;
        }
    }

    State stateLocked() {
        return state;
    }

    @Override
    public CompletableFuture<Void> ready() {
        CompletableFuture<Void> r;
        synchronized (client.lock) {
            r = state == State.UNSUBSCRIBED
                    ? CompletableFuture.failedFuture(new RotorClientException("not subscribed to " + channel)) : ready;
        }
        return client.dispatcher.toApplication(r); // outside the lock: a direct executor completes right here
    }

    // ---- state transitions (called with client.lock held) -----------------------------------------------------

    /** UNSUBSCRIBED/FAILED → SUBSCRIBING; false when already subscribing or subscribed. */
    boolean startSubscribingLocked() {
        if (state == State.SUBSCRIBING || state == State.SUBSCRIBED) {
            return false;
        }
        beginAttemptLocked();
        return true;
    }

    private void beginAttemptLocked() {
        state = State.SUBSCRIBING;
        epoch++;
        clearBufferLocked();
        if (ready.isDone()) {
            ready = new CompletableFuture<>();
            waitingForReady = 0;
        }
    }

    /**
     * The connection dropped (or the client closed, {@code resubscribe} false): an active subscription reports
     * {@code onUnsubscribe}; with {@code resubscribe} every subscription waits for the next connection.
     */
    void connectionLostLocked(boolean resubscribe, List<Runnable> out) {
        if (state == State.SUBSCRIBED) {
            out.add(() -> listener.onUnsubscribe(channel));
        }
        if (resubscribe) {
            beginAttemptLocked();
        } else {
            state = State.UNSUBSCRIBED;
            epoch++;
            client.deactivateLocked(this);
            CompletableFuture<Void> r = ready;
            out.add(() -> r.completeExceptionally(new RotorClientException.Closed("not subscribed to " + channel)));
        }
    }

    // ---- subscribe ---------------------------------------------------------------------------------------------

    boolean isPrivate() {
        return channel.startsWith(client.config().privateChannelPrefix());
    }

    /**
     * The subscribe command for connection {@code c} once {@code sign} is known (null future for public channels);
     * its reply is handled here. Fails (after reporting the subscribe error) when the sign is missing.
     */
    CompletableFuture<Frames.Command> subscribeCommand(RealRotorClient.Connection c,
            CompletableFuture<ChannelSign> sign) {
        int myEpoch;
        String last;
        synchronized (client.lock) {
            myEpoch = epoch;
            last = lastUid;
        }
        String clientId = client.clientIdOf(c);
        CompletableFuture<ChannelSign> s0 = sign != null ? sign : CompletableFuture.completedFuture(null);
        return s0.handle((s, e) -> {
            if (e != null || (sign != null && s == null)) {
                Throwable cause = e == null ? new RotorClientException("no sign returned") : Dispatcher.unwrap(e);
                replied(myEpoch, false, null, new RotorClientException(
                        "cannot sign the subscription to " + channel + ": " + cause.getMessage(), cause));
                throw new java.util.concurrent.CompletionException(cause);
            }
            RealRotorClient.Call call = client.register("subscribe", Frames.subscribe(channel, last, clientId,
                    s == null ? null : s.sign(), s == null ? null : s.info()), client.config().requestTimeout());
            call.reply().whenComplete((body, err) -> replied(myEpoch, last != null, body, err));
            return call.command();
        });
    }

    private void replied(int myEpoch, boolean recoverRequested, JsonNode body, Throwable error) {
        Throwable cause = error != null || body != null ? Dispatcher.unwrap(error) : new RotorClientException(
                "the server's subscribe reply for " + channel + " had no body");
        if (cause instanceof RotorClientException.ConnectionLost || cause instanceof RotorClientException.Closed) {
            return; // the connection is gone; connectionLostLocked already arranged the next attempt
        }
        List<Runnable> out = new ArrayList<>();
        synchronized (client.lock) {
            if (myEpoch != epoch || state != State.SUBSCRIBING) {
                return;
            }
            boolean resubscribe = everSubscribed;
            CompletableFuture<Void> r = ready;
            if (cause != null) {
                state = State.FAILED;
                clearBufferLocked();
                RotorClientException e = Dispatcher.asClientException(cause);
                out.add(() -> listener.onSubscribeError(new SubscriptionListener.SubscribeError(channel, e, resubscribe)));
                out.add(() -> r.completeExceptionally(e));
            } else {
                state = State.SUBSCRIBED;
                everSubscribed = true;
                boolean recovered = body.path("recovered").asBoolean();
                List<Message> newestFirst = TreeDecoding.messages(body.get("messages"));
                if (!newestFirst.isEmpty()) {
                    lastUid = newestFirst.get(0).uid();
                } else if (!recoverRequested) {
                    lastUid = body.path("last").asText("");
                }
                if (lastBufferedUid != null) {
                    lastUid = lastBufferedUid;
                }
                out.add(() -> listener.onSubscribeSuccess(
                        new SubscriptionListener.SubscribeSuccess(channel, resubscribe, recovered)));
                for (int i = newestFirst.size() - 1; i >= 0; i--) {
                    Message m = newestFirst.get(i);
                    if (!bufferedUids.contains(m.uid())) {
                        out.add(() -> listener.onMessage(m));
                    }
                }
                out.addAll(buffered);
                clearBufferLocked();
                out.add(() -> r.complete(null));
            }
        }
        client.dispatcher.dispatchAll(out);
    }

    private void clearBufferLocked() {
        buffered.clear();
        bufferedUids.clear();
        lastBufferedUid = null;
    }

    /**
     * A {@code message}, {@code join}, {@code leave} or {@code unsubscribe} push for this channel (§8) that arrived
     * on connection {@code c}. While SUBSCRIBING, pushes wait for the subscribe reply; a server that sends more than
     * {@link RealRotorClient#MAX_QUEUED_CALLBACKS} of them before it loses the connection:
     * the client reconnects and resubscribes, with recovery once it has seen a message.
     */
    void onPush(RealRotorClient.Connection c, String method, JsonNode body) {
        List<Runnable> out = new ArrayList<>();
        boolean tooMany = false;
        synchronized (client.lock) {
            if (state == State.UNSUBSCRIBED || state == State.FAILED || !client.isLiveLocked(c)) {
                return; // a push read after its connection was lost must not join the next attempt's buffer
            }
            switch (method) {
                case "message" -> {
                    Message m = TreeDecoding.message(body);
                    Runnable r = () -> listener.onMessage(m);
                    if (state != State.SUBSCRIBING) {
                        lastUid = m.uid();
                        out.add(r);
                    } else {
                        tooMany = !bufferLocked(r, m.uid());
                    }
                }
                case "join", "leave" -> {
                    ClientInfo info = TreeDecoding.clientInfo(body.path("data"));
                    SubscriptionListener.Presence p = new SubscriptionListener.Presence(channel, info);
                    Runnable r = "join".equals(method) ? () -> listener.onJoin(p) : () -> listener.onLeave(p);
                    if (state != State.SUBSCRIBING) {
                        out.add(r);
                    } else {
                        tooMany = !bufferLocked(r, null);
                    }
                }
                case "unsubscribe" -> unsubscribedLocked(out);
                default -> throw new IllegalArgumentException(method);
            }
        }
        if (tooMany) {
            client.lost(c, new ConnectionListener.DisconnectEvent("too many pushes before the subscribe reply", true),
                    new RotorClientException("the server sent more than " + RealRotorClient.MAX_QUEUED_CALLBACKS
                            + " pushes in " + channel + " before its reply to the subscribe"));
            return;
        }
        client.dispatcher.dispatchAll(out);
    }

    /**
     * Buffers a push ({@code uid} null for a join or leave) until the subscribe reply; false, with the buffer
     * dropped, when it is full.
     */
    private boolean bufferLocked(Runnable r, String uid) {
        if (buffered.size() >= RealRotorClient.MAX_QUEUED_CALLBACKS) {
            clearBufferLocked();
            return false;
        }
        buffered.add(r);
        if (uid != null) {
            bufferedUids.add(uid);
            lastBufferedUid = uid;
        }
        return true;
    }

    /** Moves to UNSUBSCRIBED and returns the connection to tell, if any. */
    private RealRotorClient.Connection unsubscribedLocked(List<Runnable> out) {
        if (state == State.SUBSCRIBED) {
            out.add(() -> listener.onUnsubscribe(channel));
        }
        state = State.UNSUBSCRIBED;
        epoch++;
        clearBufferLocked();
        CompletableFuture<Void> r = ready;
        if (!r.isDone()) {
            out.add(() -> r.completeExceptionally(new RotorClientException("unsubscribed from " + channel)));
        }
        return client.deactivateLocked(this);
    }

    @Override
    public void unsubscribe() {
        List<Runnable> out = new ArrayList<>();
        RealRotorClient.Connection c;
        synchronized (client.lock) {
            if (state == State.UNSUBSCRIBED) {
                return;
            }
            c = unsubscribedLocked(out);
        }
        client.dispatcher.dispatchAll(out);
        if (c != null) {
            client.callCurrent("unsubscribe", Frames.channel(channel)).exceptionally(e -> {
                Throwable cause = Dispatcher.unwrap(e);
                if (cause instanceof RotorClientException.ServerError se) {
                    client.dispatcher.dispatch(() -> client.config().listener().onError(se));
                }
                return null;
            });
        }
    }

    @Override
    public void subscribe() {
        client.activate(this);
    }

    // ---- channel commands --------------------------------------------------------------------------------------

    /**
     * Waits until subscribed, then sends, and turns the reply's body into the result with {@code decode}; bounded
     * by the request timeout overall.
     *
     * <p>A call made while not subscribed (e.g. while the client reconnects) stays attached to {@link #ready} until
     * it completes, which may be never, even after the call timed out. So at most
     * {@link RealRotorClient#MAX_QUEUED_CALLBACKS} calls wait on one {@code ready}, and what stays attached after a
     * timeout does not hold the payload.
     */
    <T> CompletableFuture<T> whenSubscribed(String method, Consumer<JsonWriter> params, Function<JsonNode, T> decode) {
        CompletableFuture<Void> r;
        synchronized (client.lock) {
            r = ready;
            if (state == State.UNSUBSCRIBED) {
                return CompletableFuture.failedFuture(new RotorClientException("not subscribed to " + channel));
            }
            if (!r.isDone()) {
                if (waitingForReady >= RealRotorClient.MAX_QUEUED_CALLBACKS) {
                    return CompletableFuture.failedFuture(new RotorClientException(method + " in " + channel
                            + " refused: " + RealRotorClient.MAX_QUEUED_CALLBACKS + " calls already wait for the"
                            + " subscription to " + channel));
                }
                waitingForReady++;
            }
        }
        AtomicReference<Consumer<JsonWriter>> held = new AtomicReference<>(params);
        CompletableFuture<T> result = r.thenCompose(v -> {
            Consumer<JsonWriter> p = held.getAndSet(null);
            // null: the call already completed (timed out), so there is nothing to send and nobody to tell
            return p == null ? new CompletableFuture<T>() : client.callCurrent(method, p).thenApply(decode);
        });
        result.whenComplete((v, e) -> held.set(null));
        return client.dispatcher.toApplication(client.dispatcher.withTimeout(result,
                client.config().requestTimeout(), method + " in " + channel));
    }

    /** The {@code data} of a presence or history reply; a reply without a body fails the call. */
    private JsonNode data(String method, JsonNode body) {
        if (body == null) {
            throw new RotorClientException("the server's " + method + " reply for " + channel + " had no body");
        }
        return body.get("data");
    }

    @Override
    public CompletableFuture<Void> publish(String json) {
        return whenSubscribed("publish", Frames.publish(channel, json), b -> null);
    }

    @Override
    public CompletableFuture<Map<String, ClientInfo>> presence() {
        return whenSubscribed("presence", Frames.channel(channel), b -> TreeDecoding.presence(data("presence", b)));
    }

    @Override
    public CompletableFuture<List<Message>> history() {
        return whenSubscribed("history", Frames.channel(channel), b -> TreeDecoding.messages(data("history", b)));
    }

    @Override
    public void publishBlocking(String json) {
        client.dispatcher.await(publish(json), client.config().requestTimeout());
    }

    @Override
    public Map<String, ClientInfo> presenceBlocking() {
        return client.dispatcher.await(presence(), client.config().requestTimeout());
    }

    @Override
    public List<Message> historyBlocking() {
        return client.dispatcher.await(history(), client.config().requestTimeout());
    }

    @Override
    public String toString() {
        return "Subscription[" + channel + ", " + state() + "]";
    }
}
