package dev.rotor.sdk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.protocol.BoundedJson;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.sdk.client.ChannelSign;
import dev.rotor.sdk.client.ChannelSigner;
import dev.rotor.sdk.client.ConnectionListener;
import dev.rotor.sdk.client.ConnectionListener.DisconnectEvent;
import dev.rotor.sdk.client.Credentials;
import dev.rotor.sdk.client.CredentialsProvider;
import dev.rotor.sdk.client.RotorClient;
import dev.rotor.sdk.client.RotorClientConfig;
import dev.rotor.sdk.client.RotorClientException;
import dev.rotor.sdk.client.Subscription;
import dev.rotor.sdk.client.SubscriptionListener;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The {@link RotorClient} state machine over {@link java.net.http.WebSocket}. Thread-safe.
 *
 * <p>Threads: the JDK delivers WebSocket events (frames, close, errors) one at a time on its own threads; a private
 * timer thread runs reconnects, pings, refreshes and request timeouts; every application callback and every future
 * handed to the application completes on the {@link SerialExecutor} over the configured callback executor. State
 * changes under {@link #lock}; callbacks are collected under it and dispatched after it is released.
 *
 * <p>Each transport connection is a {@link Connection}; events of a connection that is no longer {@link #current}
 * are ignored, so a late close or frame from a dropped socket cannot disturb its successor.
 */
public final class RealRotorClient implements RotorClient {
    private static final int NORMAL_CLOSURE = 1000;
    /**
     * Callbacks that may wait for the application before the next message is read: the server's pushes then stay
     * in the socket (and the server's queue for this client) instead of the application's heap.
     */
    public static final int MAX_QUEUED_CALLBACKS = 10_000;
    /** Backoff.delay's step stops growing here (the delay is long capped by then); keeps the counter from wrapping. */
    private static final int MAX_DELAY_STEP = 64;
    /** The largest receive buffer a connection keeps between messages, in characters. */
    private static final int KEPT_BUFFER = 64 * 1024;

    private final RotorClientConfig config;
    private final ConnectionListener listener;
    final Dispatcher dispatcher;
    private final HttpClient http;
    /** Parses the server's messages within {@link BoundedJson}'s constraints for {@code maxMessageSize}. */
    private final ObjectMapper json;
    private final PendingReplies pending = new PendingReplies();
    private final CompletableFuture<Void> firstConnect = new CompletableFuture<>();
    final Object lock = new Object();

    /** Guarded by {@link #lock}. */
    private State state = State.NEW;
    /** Guarded by {@link #lock}; null unless a transport is opening or open. */
    private Connection current;
    /** Guarded by {@link #lock}; reconnect attempts since the last successful connect (what Backoff.allows counts). */
    private int attempt;
    /**
     * Guarded by {@link #lock}; the step Backoff.delay grows with. Unlike {@link #attempt} a successful connect does
     * not reset it, only a lost connection that had lasted at least the backoff's max: else a server that answers
     * connect and then closes would be reconnected to at the minimum delay for ever.
     */
    private int delayStep;
    /** Guarded by {@link #lock}; true once any connect succeeded. */
    private boolean everConnected;
    /** Guarded by {@link #lock}; null when not scheduled. */
    private ScheduledFuture<?> reconnectTimer;
    private ScheduledFuture<?> pingTimer;
    private ScheduledFuture<?> refreshTimer;
    /** Guarded by {@link #lock}; active (not unsubscribed) subscriptions by channel, in subscribe order. */
    private final Map<String, SubscriptionImpl> subscriptions = new LinkedHashMap<>();
    /** Guarded by {@link #lock}; non-null while batching. */
    private List<Frames.Command> batch;

    public RealRotorClient(RotorClientConfig config) {
        this.config = config;
        this.listener = config.listener();
        this.dispatcher = new Dispatcher(config.callbackExecutor());
        this.json = BoundedJson.mapper(config.maxMessageSize());
        this.http = config.httpClient() != null ? config.httpClient()
                : HttpClient.newBuilder().connectTimeout(config.connectTimeout()).build();
    }

    RotorClientConfig config() {
        return config;
    }

    // ---- lifecycle ---------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> connect() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("connect() may be called once; the client is " + state);
            }
            state = State.CONNECTING;
        }
        startAttempt();
        return firstConnect.copy();
    }

    @Override
    public void connectBlocking() {
        dispatcher.await(connect(), config.connectTimeout().plus(config.requestTimeout()));
    }

    @Override
    public State state() {
        synchronized (lock) {
            return state;
        }
    }

    @Override
    public String clientId() {
        synchronized (lock) {
            return state == State.CONNECTED && current != null ? current.clientId : null;
        }
    }

    private void startAttempt() {
        CredentialsProvider provider = config.credentials();
        CompletableFuture<Credentials> creds = provider == null ? CompletableFuture.completedFuture(null)
                : dispatcher.withTimeout(callProvider(provider::credentials), config.requestTimeout(),
                        "credentials provider");
        creds.whenComplete((c, e) -> {
            if (e != null) {
                lost(null, new DisconnectEvent("credentials unavailable", true),
                        new RotorClientException("credentials provider failed: " + Dispatcher.unwrap(e), Dispatcher.unwrap(e)));
                return;
            }
            Connection conn = new Connection(c);
            synchronized (lock) {
                if (state != State.CONNECTING || current != null) {
                    return;
                }
                current = conn;
            }
            http.newWebSocketBuilder().connectTimeout(config.connectTimeout()).buildAsync(config.url(), conn)
                    .whenComplete((ws, err) -> {
                        if (err != null) {
                            Throwable cause = Dispatcher.unwrap(err);
                            lost(conn, new DisconnectEvent("connect failed", true), new RotorClientException(
                                    "cannot open " + config.url() + ": " + cause, cause));
                        } else {
                            opened(conn, ws);
                        }
                    });
        });
    }

    private void opened(Connection c, WebSocket ws) {
        boolean stale;
        synchronized (lock) {
            c.ws = ws;
            stale = c != current || c.ended;
        }
        if (stale) {
            ws.abort();
            return;
        }
        long started = System.nanoTime();
        callOn(c, "connect", Frames.credentials(c.credentials), false, config.requestTimeout())
                .whenComplete((body, e) -> connectReplied(c, body, e, started));
    }

    private void connectReplied(Connection c, JsonNode body, Throwable e, long startedNanos) {
        if (e != null) {
            Throwable cause = Dispatcher.unwrap(e);
            if (!(cause instanceof RotorClientException.ConnectionLost) && !(cause instanceof RotorClientException.Closed)) {
                lost(c, new DisconnectEvent("connect failed", true), Dispatcher.asClientException(cause));
            }
            return;
        }
        if (body == null || body.path("expired").asBoolean()) {
            lost(c, new DisconnectEvent("expired", true), new RotorClientException(
                    "the server says the connection credentials have expired; the CredentialsProvider must issue"
                            + " a fresh timestamp and token"));
            return;
        }
        List<Runnable> out = new ArrayList<>();
        List<SubscriptionImpl> toSubscribe;
        ConnectionListener.ConnectEvent event;
        synchronized (lock) {
            if (c != current || c.ended || state != State.CONNECTING) {
                return;
            }
            c.clientId = body.path("client").asText();
            c.connectedAtNanos = System.nanoTime();
            state = State.CONNECTED;
            attempt = 0;
            event = new ConnectionListener.ConnectEvent(c.clientId,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos), everConnected);
            everConnected = true;
            if (!config.pingInterval().isZero()) {
                pingTimer = dispatcher.every(() -> keepalive(c), config.pingInterval());
            }
            scheduleRefreshLocked(c, body);
            toSubscribe = new ArrayList<>();
            for (SubscriptionImpl s : subscriptions.values()) {
                if (s.stateLocked() == Subscription.State.SUBSCRIBING) {
                    toSubscribe.add(s);
                }
            }
        }
        out.add(() -> listener.onConnect(event));
        out.add(() -> firstConnect.complete(null));
        dispatcher.dispatchAll(out);
        sendSubscribes(c, toSubscribe);
    }

    /**
     * The connection {@code c} (null: the attempt failed before a transport existed) ended with {@code event};
     * reconnects with backoff or closes for good. Idempotent per connection; ignored for stale connections.
     */
    void lost(Connection c, DisconnectEvent event, RotorClientException error) {
        boolean wasConnected;
        boolean terminal = false;
        boolean staleConnection;
        List<Runnable> subscriptionEvents = new ArrayList<>();
        synchronized (lock) {
            if (c != null) {
                if (c.ended) {
                    return;
                }
                c.ended = true;
            }
            boolean stale = c != current || state == State.CLOSED;
            if (!stale) {
                current = null;
                cancelTimersLocked();
                for (SubscriptionImpl s : List.copyOf(subscriptions.values())) {
                    s.connectionLostLocked(config.resubscribe(), subscriptionEvents);
                }
                if (c != null && c.clientId != null
                        && System.nanoTime() - c.connectedAtNanos >= config.backoff().max().toNanos()) {
                    delayStep = 0;
                }
                if (event.reconnect() && config.backoff().allows(attempt)) {
                    attempt++;
                    Duration delay = config.backoff().delay(delayStep, ThreadLocalRandom.current()::nextDouble);
                    delayStep = Math.min(delayStep + 1, MAX_DELAY_STEP);
                    state = State.CONNECTING;
                    reconnectTimer = dispatcher.schedule(this::reconnect, delay);
                } else {
                    state = State.CLOSED;
                    terminal = true;
                }
            }
            wasConnected = !stale && c != null && c.clientId != null;
            staleConnection = stale;
        }
        abort(c);
        if (staleConnection) {
            return; // a predecessor of the current connection, or close() already reported everything
        }
        pending.failAll(new RotorClientException.ConnectionLost("connection lost: " + event.reason()));
        DisconnectEvent reported = new DisconnectEvent(event.reason(), !terminal);
        List<Runnable> out = new ArrayList<>();
        if (error != null) {
            out.add(() -> listener.onError(error));
        }
        if (wasConnected) {
            out.add(() -> listener.onDisconnect(reported));
        }
        out.addAll(subscriptionEvents);
        if (terminal) {
            finishLocked(reported, out);
        }
        dispatcher.dispatchAll(out);
    }

    private void reconnect() {
        synchronized (lock) {
            reconnectTimer = null;
            if (state != State.CONNECTING || current != null) {
                return;
            }
        }
        startAttempt();
    }

    @Override
    public void close() {
        Connection c;
        boolean wasConnected;
        boolean started;
        List<Runnable> out = new ArrayList<>();
        DisconnectEvent event = new DisconnectEvent("client closed", false);
        synchronized (lock) {
            if (state == State.CLOSED) {
                return;
            }
            started = state != State.NEW;
            state = State.CLOSED;
            c = current;
            current = null;
            cancelTimersLocked();
            wasConnected = c != null && c.clientId != null;
            if (c != null) {
                c.ended = true;
            }
            if (wasConnected) {
                out.add(() -> listener.onDisconnect(event));
            }
            for (SubscriptionImpl s : List.copyOf(subscriptions.values())) {
                s.connectionLostLocked(false, out);
            }
            subscriptions.clear();
            batch = null;
        }
        if (c != null && c.ws != null) {
            WebSocket ws = c.ws;
            // RFC 6455 §7.1.2: start the closing handshake, then drop the socket if the server does not finish it
            ws.sendClose(NORMAL_CLOSURE, "").whenComplete((w, e) -> ws.abort());
            CompletableFuture.delayedExecutor(2, TimeUnit.SECONDS).execute(ws::abort);
        }
        pending.failAll(new RotorClientException.Closed("client closed"));
        if (started) {
            finishLocked(event, out);
            dispatcher.dispatchAll(out);
        } else {
            dispatcher.dispatchAll(out);
            dispatcher.dispatch(dispatcher::stop);
        }
    }

    /** Appends the terminal callback and the release of the client's threads (state is already CLOSED). */
    private void finishLocked(DisconnectEvent event, List<Runnable> out) {
        out.add(() -> firstConnect.completeExceptionally(new RotorClientException.Closed(
                "client closed before connecting: " + event.reason())));
        out.add(() -> listener.onClosed(event));
        out.add(dispatcher::stop);
    }

    private void cancelTimersLocked() {
        for (ScheduledFuture<?> t : new ScheduledFuture<?>[] {reconnectTimer, pingTimer, refreshTimer}) {
            if (t != null) {
                t.cancel(false);
            }
        }
        reconnectTimer = null;
        pingTimer = null;
        refreshTimer = null;
    }

    private static void abort(Connection c) {
        if (c != null && c.ws != null) {
            c.ws.abort();
        }
    }

    // ---- keepalive and refresh ---------------------------------------------------------------------------------

    private void keepalive(Connection c) {
        callOn(c, "ping", null, false, config.pongTimeout()).whenComplete((v, e) -> {
            if (Dispatcher.unwrap(e) instanceof RotorClientException.Timeout t) {
                lost(c, new DisconnectEvent("no ping reply", true), t);
            }
        });
    }

    /**
     * §5.1: with {@code expires} the server closes the connection {@code ttl} seconds after the credentials'
     * timestamp (plus a grace delay) unless refreshed; refresh a quarter of the ttl (at most 10 s) ahead. Insecure
     * connections never expire and a {@code refresh} there is fatal, so they are not refreshed.
     */
    private void scheduleRefreshLocked(Connection c, JsonNode body) {
        long ttl = body.path("ttl").asLong();
        if (!body.path("expires").asBoolean() || ttl <= 0 || config.insecure() || config.credentials() == null) {
            return;
        }
        long ttlMs = TimeUnit.SECONDS.toMillis(ttl);
        long delay = Math.max(0, ttlMs - Math.min(ttlMs / 4, 10_000));
        refreshTimer = dispatcher.schedule(() -> refresh(c), Duration.ofMillis(delay));
    }

    private void refresh(Connection c) {
        dispatcher.withTimeout(callProvider(config.credentials()::credentials), config.requestTimeout(),
                        "credentials provider")
                .thenCompose(cr -> callOn(c, "refresh", Frames.credentials(cr), false, config.requestTimeout()))
                .whenComplete((body, e) -> {
                    Throwable cause = Dispatcher.unwrap(e);
                    if (cause instanceof RotorClientException.ConnectionLost || cause instanceof RotorClientException.Closed) {
                        return;
                    }
                    if (cause != null) {
                        dispatcher.dispatch(() -> listener.onError(new RotorClientException("refresh failed: " + cause, cause)));
                        return;
                    }
                    if (body == null || body.path("expired").asBoolean()) {
                        dispatcher.dispatch(() -> listener.onError(new RotorClientException(
                                "refresh failed: the server says the new credentials have expired")));
                        return;
                    }
                    synchronized (lock) {
                        if (c == current && !c.ended && state == State.CONNECTED) {
                            scheduleRefreshLocked(c, body);
                        }
                    }
                });
    }

    // ---- subscriptions -----------------------------------------------------------------------------------------

    @Override
    public Subscription subscribe(String channel, SubscriptionListener subscriptionListener) {
        if (channel == null || channel.isEmpty()) {
            throw new IllegalArgumentException("channel must not be empty");
        }
        SubscriptionImpl s = new SubscriptionImpl(this, channel, subscriptionListener);
        activate(s);
        return s;
    }

    /** Registers a new or unsubscribed subscription and sends its subscribe when connected. */
    void activate(SubscriptionImpl s) {
        Connection c;
        synchronized (lock) {
            if (state == State.CLOSED) {
                throw new IllegalStateException("the client is closed");
            }
            SubscriptionImpl existing = subscriptions.get(s.channel());
            if (existing != null && existing != s) {
                throw new IllegalStateException("already subscribed to " + s.channel()
                        + "; use subscription(channel) or unsubscribe it first");
            }
            if (!s.startSubscribingLocked()) {
                return;
            }
            subscriptions.put(s.channel(), s);
            c = state == State.CONNECTED ? current : null;
        }
        if (c != null) {
            sendSubscribes(c, List.of(s));
        }
    }

    /** Drops an unsubscribed subscription from the registry; returns the connection to send unsubscribe on. */
    Connection deactivateLocked(SubscriptionImpl s) {
        subscriptions.remove(s.channel(), s);
        return state == State.CONNECTED ? current : null;
    }

    @Override
    public Optional<Subscription> subscription(String channel) {
        synchronized (lock) {
            return Optional.ofNullable(subscriptions.get(channel));
        }
    }

    /**
     * Sends the subscribes (private channels after their signs arrive) together in one array frame: a reconnect
     * restores every channel with a single write.
     */
    private void sendSubscribes(Connection c, List<SubscriptionImpl> subs) {
        if (subs.isEmpty()) {
            return;
        }
        List<String> privateChannels = new ArrayList<>();
        for (SubscriptionImpl s : subs) {
            if (s.isPrivate()) {
                privateChannels.add(s.channel());
            }
        }
        CompletableFuture<Map<String, ChannelSign>> signs = privateChannels.isEmpty()
                ? CompletableFuture.completedFuture(Map.of()) : signAll(clientIdOf(c), privateChannels);
        List<CompletableFuture<Frames.Command>> commands = new ArrayList<>();
        for (SubscriptionImpl s : subs) {
            commands.add(s.subscribeCommand(c, s.isPrivate() ? signs.thenApply(m -> m.get(s.channel())) : null));
        }
        CompletableFuture.allOf(commands.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            List<Frames.Command> ready = new ArrayList<>();
            for (CompletableFuture<Frames.Command> f : commands) {
                if (!f.isCompletedExceptionally()) {
                    ready.add(f.join());
                }
            }
            if (!ready.isEmpty()) {
                write(c, ready);
            }
            return null;
        });
    }

    /** One signer call for all private channels subscribed together (centrifuge-js batches them the same way). */
    private CompletableFuture<Map<String, ChannelSign>> signAll(String clientId, List<String> channels) {
        ChannelSigner signer = config.channelSigner();
        if (signer == null) {
            return CompletableFuture.failedFuture(new RotorClientException(
                    "private channels need a ChannelSigner: " + String.join(", ", channels)));
        }
        CompletableFuture<Map<String, ChannelSign>> f = callProvider(() -> signer.signAll(clientId, channels));
        return dispatcher.withTimeout(f, config.requestTimeout(), "signing " + String.join(", ", channels));
    }

    /** True while {@code c} is the current connection and not lost. */
    boolean isLiveLocked(Connection c) {
        return c == current && !c.ended;
    }

    /** The connection's client id while it is the current, connected one; null otherwise. */
    String clientIdOf(Connection c) {
        synchronized (lock) {
            return c == current && !c.ended ? c.clientId : null;
        }
    }

    // ---- commands ----------------------------------------------------------------------------------------------

    @Override
    public CompletableFuture<Void> ping() {
        return dispatcher.toApplication(callCurrent("ping", null)).thenApply(b -> null);
    }

    /**
     * Registers a command for {@code c} and returns its future (completed on the reading or timer thread); with
     * {@code batchable} it joins the open batch, otherwise it is written now.
     */
    CompletableFuture<JsonNode> callOn(Connection c, String method, Consumer<JsonWriter> params, boolean batchable,
            Duration timeout) {
        Call call = register(method, params, timeout);
        synchronized (lock) {
            if (batchable && batch != null) {
                batch.add(call.command());
                return call.reply();
            }
        }
        write(c, List.of(call.command()));
        return call.reply();
    }

    /** A command on the current connection, failing at once when not connected. */
    CompletableFuture<JsonNode> callCurrent(String method, Consumer<JsonWriter> params) {
        Connection c;
        synchronized (lock) {
            if (state == State.CLOSED) {
                return CompletableFuture.failedFuture(new RotorClientException.Closed("the client is closed"));
            }
            c = state == State.CONNECTED ? current : null;
        }
        if (c == null) {
            return CompletableFuture.failedFuture(new RotorClientException.ConnectionLost("not connected"));
        }
        return callOn(c, method, params, true, config.requestTimeout());
    }

    /** An encoded command and the future its reply completes. */
    record Call(Frames.Command command, CompletableFuture<JsonNode> reply) {
    }

    /** A command with a new uid whose reply future fails with {@code Timeout} after {@code timeout}. */
    Call register(String method, Consumer<JsonWriter> params, Duration timeout) {
        PendingReplies.Registration r = pending.register();
        Frames.Command cmd = Frames.command(r.uid(), method, params);
        ScheduledFuture<?> t = dispatcher.schedule(() -> pending.fail(r.uid(), new RotorClientException.Timeout(
                method + " got no reply within " + timeout.toMillis() + " ms")), timeout);
        if (t == null) {
            pending.fail(r.uid(), new RotorClientException.Closed("the client is closed"));
        } else {
            r.reply().whenComplete((v, e) -> t.cancel(false));
        }
        return new Call(cmd, r.reply());
    }

    /**
     * Writes one frame. The JDK allows one outstanding send per socket, so writes are chained on
     * {@link Connection#sendChain}, and a server that stops reading would let that chain grow without a bound.
     * So:
     * <ul>
     * <li>at most {@code maxMessageSize} characters wait to be sent per connection (any one frame when none wait):
     * a frame past that fails its commands at once, and the connection stays;
     * <li>a frame whose commands all failed or timed out before its turn is not sent: the application was told it
     * failed, and a retry must not be duplicated by a late original;
     * <li>a frame not sent within {@code requestTimeout} while no other write completed ends the connection
     * ({@code server not reading}), pings or not: see {@link #watchWrite}.
     * </ul>
     */
    void write(Connection c, List<Frames.Command> commands) {
        String frame = Frames.frame(commands);
        CompletableFuture<?> sent = null;
        RotorClientException refused = null;
        synchronized (lock) {
            if (c.ws != null && !c.ended) {
                if (c.queuedChars > 0 && frame.length() > config.maxMessageSize() - c.queuedChars) {
                    refused = new RotorClientException("the server is not reading fast enough: " + c.queuedChars
                            + " characters already wait to be sent to it, and maxMessageSize ("
                            + config.maxMessageSize() + ") bounds them");
                } else {
                    WebSocket ws = c.ws;
                    c.queuedChars += frame.length();
                    sent = c.sendChain.thenCompose(x -> anyWaiting(commands) ? ws.sendText(frame, true)
                            .thenRun(() -> written(c)) : CompletableFuture.completedFuture(null));
                    c.sendChain = sent;
                }
            }
        }
        // outside the lock: completions run listeners and futures' dependants
        if (sent == null) {
            RotorClientException e = refused != null ? refused
                    : new RotorClientException.ConnectionLost("not connected");
            commands.forEach(cmd -> pending.fail(cmd.uid(), e));
            return;
        }
        watchWrite(c, sent);
        sent.whenComplete((x, e) -> {
            synchronized (lock) {
                c.queuedChars -= frame.length();
            }
            if (e != null) {
                Throwable cause = Dispatcher.unwrap(e);
                lost(c, new DisconnectEvent("send failed", true),
                        new RotorClientException("sending to " + config.url() + " failed: " + cause, cause));
            }
        });
    }

    private boolean anyWaiting(List<Frames.Command> commands) {
        for (Frames.Command cmd : commands) {
            if (pending.isWaiting(cmd.uid())) {
                return true;
            }
        }
        return false;
    }

    private void written(Connection c) {
        synchronized (lock) {
            c.lastWrittenNanos = System.nanoTime();
        }
    }

    /**
     * Ends the connection when {@code sent} is still unsent {@code requestTimeout} after it was queued and after
     * the connection's last completed write: the server has stopped reading, and without this (or with pings off)
     * nothing else would notice. One timer per write, cancelled when it completes; while other writes complete,
     * it moves to {@code requestTimeout} after the last of them.
     */
    private void watchWrite(Connection c, CompletableFuture<?> sent) {
        long queuedAt = System.nanoTime();
        long timeout = config.requestTimeout().toNanos();
        AtomicReference<ScheduledFuture<?>> timer = new AtomicReference<>();
        Runnable check = new Runnable() {
            @Override
            public void run() {
                if (sent.isDone()) {
                    return;
                }
                long since;
                synchronized (lock) {
                    since = c.lastWrittenNanos - queuedAt > 0 ? c.lastWrittenNanos : queuedAt;
                }
                long left = since + timeout - System.nanoTime();
                if (left > 0) {
                    timer.set(dispatcher.schedule(this, Duration.ofMillis(TimeUnit.NANOSECONDS.toMillis(left) + 1)));
                    return;
                }
                lost(c, new DisconnectEvent("server not reading", true), new RotorClientException(
                        "the server read nothing for " + config.requestTimeout().toMillis() + " ms: a frame waited"
                                + " that long to be sent and no other write completed"));
            }
        };
        timer.set(dispatcher.schedule(check, config.requestTimeout()));
        sent.whenComplete((x, e) -> {
            ScheduledFuture<?> t = timer.get();
            if (t != null) {
                t.cancel(false);
            }
        });
    }

    /**
     * Ends the connection when a server that pings has sent nothing for twice the longest gap between its pings (at
     * least {@code pongTimeout}) while the client was ready to read ({@link ServerSilence}). The JDK's WebSocket
     * client can miss an end of stream that arrives right behind a message, before the next one is asked for (JDK 17
     * and 25: the read of the end fails inside the JDK, which then reports neither a close nor an error), and a server
     * or proxy that stops sending without closing is not noticed either; with the client's own pings off, and nothing
     * written, nothing else would cut such a connection. A server that never pings is not watched: its silence says
     * nothing. Runs from the second server ping; one timer entry at a time per connection, ended with it.
     */
    private void watchSilence(Connection c) {
        long minimum = config.pongTimeout().toNanos();
        dispatcher.schedule(new Runnable() {
            @Override
            public void run() {
                synchronized (lock) {
                    if (c.ended) {
                        return;
                    }
                }
                long limit = c.silence.limit(minimum);
                long silent = c.silence.silence(System.nanoTime());
                if (silent < limit) {
                    dispatcher.schedule(this, Duration.ofNanos(limit - silent));
                    return;
                }
                lost(c, new DisconnectEvent("server silent", true), new RotorClientException("the server sent"
                        + " nothing for " + TimeUnit.NANOSECONDS.toMillis(silent) + " ms; its pings had come at most "
                        + TimeUnit.NANOSECONDS.toMillis(c.silence.longestGap()) + " ms apart: the connection is taken"
                        + " for dead"));
            }
        }, Duration.ofNanos(c.silence.limit(minimum)));
    }

    @Override
    public void startBatching() {
        synchronized (lock) {
            if (batch == null) {
                batch = new ArrayList<>();
            }
        }
    }

    @Override
    public void flush() {
        List<Frames.Command> commands;
        Connection c;
        synchronized (lock) {
            if (batch == null || batch.isEmpty()) {
                return;
            }
            commands = batch;
            batch = new ArrayList<>();
            c = state == State.CONNECTED ? current : null;
        }
        if (c == null) {
            RotorClientException e = new RotorClientException.ConnectionLost("not connected");
            commands.forEach(cmd -> pending.fail(cmd.uid(), e));
        } else {
            write(c, commands);
        }
    }

    @Override
    public void stopBatching(boolean flush) {
        if (flush) {
            flush();
        }
        List<Frames.Command> dropped;
        synchronized (lock) {
            dropped = batch;
            batch = null;
        }
        if (dropped != null) {
            RotorClientException e = new RotorClientException("batch discarded by stopBatching(false)");
            dropped.forEach(cmd -> pending.fail(cmd.uid(), e));
        }
    }

    // ---- incoming frames ---------------------------------------------------------------------------------------

    private void onFrame(Connection c, String text) {
        synchronized (lock) {
            if (c != current || c.ended) {
                return;
            }
        }
        List<JsonNode> objects;
        try {
            objects = Frames.parse(json, text);
        } catch (RotorClientException e) {
            dispatcher.dispatch(() -> listener.onError(e));
            return;
        }
        for (JsonNode n : objects) {
            if (pending.complete(n)) {
                continue;
            }
            String method = n.path("method").asText();
            JsonNode body = n.path("body");
            SubscriptionImpl s;
            synchronized (lock) {
                s = subscriptions.get(body.path("channel").asText());
            }
            switch (method) {
                case "message", "join", "leave", "unsubscribe" -> {
                    if (s != null) {
                        s.onPush(c, method, body);
                    }
                }
                default -> {
                    JsonNode error = n.get("error");
                    if (error != null && !error.isNull()) {
                        RotorClientException e = new RotorClientException.ServerError(method, error.asText(),
                                n.path("advice").asText(null));
                        dispatcher.dispatch(() -> listener.onError(e));
                    }
                }
            }
        }
    }

    /** §9: a close frame's reason carries the server's disconnect advice; anything else may be retried. */
    static DisconnectEvent closeEvent(int code, String reason) {
        JsonNode advice = Frames.advice(reason);
        if (advice != null) {
            return new DisconnectEvent(advice.path("reason").asText(), advice.path("reconnect").asBoolean(true));
        }
        return new DisconnectEvent(reason == null || reason.isEmpty() ? "connection closed (" + code + ")" : reason,
                true);
    }

    /**
     * The application's future as a copy: the client may time it out (complete it exceptionally), which must not
     * reach a future the application keeps, e.g. one it hands out to every caller.
     */
    private static <T> CompletableFuture<T> callProvider(java.util.function.Supplier<CompletableFuture<T>> s) {
        try {
            CompletableFuture<T> f = s.get();
            return f != null ? f.copy()
                    : CompletableFuture.failedFuture(new NullPointerException("provider returned null"));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- one transport connection ------------------------------------------------------------------------------

    /** One WebSocket connection attempt and its receive side. Fields other than the final ones are guarded by lock. */
    final class Connection implements WebSocket.Listener {
        /** Null in insecure mode without a credentials provider. */
        final Credentials credentials;
        /** Null until the handshake completed. */
        WebSocket ws;
        /** Null until the connect reply arrived. */
        String clientId;
        /** {@link System#nanoTime()} of the connect reply; meaningless while {@link #clientId} is null. */
        long connectedAtNanos;
        /** Set once when the connection is lost or closed; it then never becomes current again. */
        boolean ended;
        /** The last write; each write starts after the previous one finished. */
        CompletableFuture<?> sendChain = CompletableFuture.completedFuture(null);
        /** Characters of the frames on {@link #sendChain} not yet sent; at most maxMessageSize but for one frame. */
        int queuedChars;
        /** {@link System#nanoTime()} when a frame was last handed to the socket; creation time until then. */
        long lastWrittenNanos = System.nanoTime();
        /** The server's pings and silence, for {@link #watchSilence}. */
        final ServerSilence silence = new ServerSilence(System.nanoTime());
        /** Only touched by the JDK's receiving thread, which delivers events one at a time. */
        private final StringBuilder partial = new StringBuilder();
        /** As {@link #partial}, for a binary message: its bytes so far, decoded once it is complete. */
        private ByteArrayOutputStream partialBinary = new ByteArrayOutputStream();

        Connection(Credentials credentials) {
            this.credentials = credentials;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            synchronized (lock) {
                ws = webSocket;
            }
            silence.opened(System.nanoTime());
            webSocket.request(1);
        }

        /** The JDK answers the ping itself (RFC 6455 §5.5.2); the client learns from it how often the server pings. */
        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            if (silence.pinged(System.nanoTime())) {
                watchSilence(this);
            }
            readNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            silence.heard(System.nanoTime());
            readNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            silence.heard(System.nanoTime());
            if (data.length() > config.maxMessageSize() - partial.length()) {
                partial.setLength(0);
                partial.trimToSize();
                tooBig("characters");
                return null;
            }
            partial.append(data);
            if (last) {
                String frame = partial.toString();
                partial.setLength(0);
                if (frame.length() > KEPT_BUFFER) {
                    partial.trimToSize(); // a rare large message does not keep its buffer for the connection's life
                }
                onFrame(this, frame);
            }
            readNext(webSocket);
            return null;
        }

        /**
         * Rotor sends text; other servers may send the same JSON in binary messages (client-protocol.md §1.1). The
         * bytes of all fragments are joined and decoded once: a fragment may end inside a UTF-8 character.
         */
        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            silence.heard(System.nanoTime());
            if (data.remaining() > config.maxMessageSize() - partialBinary.size()) {
                partialBinary = new ByteArrayOutputStream();
                tooBig("bytes");
                return null;
            }
            byte[] bytes = new byte[data.remaining()];
            data.get(bytes);
            partialBinary.writeBytes(bytes);
            if (last) {
                String frame = partialBinary.toString(StandardCharsets.UTF_8);
                if (partialBinary.size() > KEPT_BUFFER) {
                    partialBinary = new ByteArrayOutputStream();
                } else {
                    partialBinary.reset();
                }
                onFrame(this, frame);
            }
            readNext(webSocket);
            return null;
        }

        /** An endless or oversized message must not fill the heap: it is dropped and the connection ends. */
        private void tooBig(String unit) {
            lost(this, new DisconnectEvent("message too big", true), new RotorClientException(
                    "the server sent a message longer than " + config.maxMessageSize() + " " + unit));
        }

        private void readNext(WebSocket webSocket) {
            silence.pausing();
            dispatcher.whenCallbacksBelow(MAX_QUEUED_CALLBACKS, () -> {
                silence.reading(System.nanoTime());
                webSocket.request(1);
            });
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            lost(this, closeEvent(statusCode, reason), null);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            lost(this, new DisconnectEvent("connection error: " + error, true), null);
        }
    }
}
