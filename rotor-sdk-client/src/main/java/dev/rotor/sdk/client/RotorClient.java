package dev.rotor.sdk.client;

import dev.rotor.sdk.client.internal.RealRotorClient;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A realtime connection to a Rotor or Centrifugo v1 node over raw WebSocket, speaking the v1 client protocol
 * (client-protocol.md). Thread-safe.
 *
 * <p>Lifecycle (one-shot, like okhttp's {@code WebSocket}): {@link State#NEW} until {@link #connect()}; then
 * {@link State#CONNECTING} and {@link State#CONNECTED}, dropping back to {@code CONNECTING} whenever the connection
 * is lost and the client reconnects with {@link Backoff}; finally {@link State#CLOSED}, entered exactly once:
 * by {@link #close()}, by a server disconnect advising {@code reconnect: false} (e.g. the API {@code disconnect}),
 * or when the reconnect attempts run out. {@link ConnectionListener#onClosed} then runs exactly once and the
 * client's threads stop. A closed client cannot connect again; create a new one.
 *
 * <p>While connected the client answers server pings, sends {@code ping} commands every
 * {@link RotorClientConfig#pingInterval()}, refreshes the connection before its lifetime ({@code ttl}) ends using the
 * {@link CredentialsProvider}, and restores subscriptions after reconnects with message recovery.
 *
 * <pre>{@code
 * RotorClient client = RotorClient.create(RotorClientConfig.builder("ws://localhost:8000/connection/websocket")
 *         .credentials(new Credentials("42", timestamp, "", token)).build());
 * client.subscribe("news", new SubscriptionListener() {
 *     public void onMessage(Message m) { System.out.println(m.data()); }
 * });
 * client.connect();
 * }</pre>
 */
public interface RotorClient extends AutoCloseable {

    enum State { NEW, CONNECTING, CONNECTED, CLOSED }

    static RotorClient create(RotorClientConfig config) {
        return new RealRotorClient(config);
    }

    /**
     * Starts connecting; returns a future completing on the first successful connect (failing if the client closes
     * first). Throws {@link IllegalStateException} when called twice.
     */
    CompletableFuture<Void> connect();

    /** {@link #connect()} and waits for the first connect, at most the connect plus request timeout. */
    void connectBlocking();

    State state();

    /** The server-assigned client id of the current connection, or null while not connected. */
    String clientId();

    /**
     * A subscription to {@code channel}, sent now when connected, otherwise once connected. Throws
     * {@link IllegalStateException} if this client already has an active subscription to the channel.
     */
    Subscription subscribe(String channel, SubscriptionListener listener);

    Optional<Subscription> subscription(String channel);

    /** Sends a {@code ping} command; completes when the server answers. */
    CompletableFuture<Void> ping();

    /** From now on commands are collected instead of sent, until {@link #flush()} sends them as one array frame. */
    void startBatching();

    /** Sends the collected commands in one frame (one command as an object, several as an array). */
    void flush();

    /** Stops collecting; with {@code flush} the collected commands are sent, otherwise they fail. */
    void stopBatching(boolean flush);

    /** Closes for good; idempotent. Pending requests fail with {@link RotorClientException.Closed}. */
    @Override
    void close();
}
