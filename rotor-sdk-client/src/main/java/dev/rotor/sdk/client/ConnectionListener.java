package dev.rotor.sdk.client;

/**
 * Connection events of a {@link RotorClient}. Every method has a no-op default; override what you need. Methods run
 * on the client's callback executor, one at a time and in the order the events happened, never under a client lock,
 * so they may call back into the client. Do not block in them for long: the next events wait.
 *
 * <p>Per client: any number of {@link #onConnect}/{@link #onDisconnect} pairs (each established connection gets
 * exactly one {@code onDisconnect}), then exactly one terminal {@link #onClosed}, after which nothing else is called.
 */
public interface ConnectionListener {

    /** A connection was established and authenticated. */
    record ConnectEvent(String clientId, long latencyMillis, boolean reconnect) {
    }

    /**
     * A connection ended, or the client stopped. {@code reason} is the server's disconnect advice reason (e.g.
     * {@code disconnect}, {@code shutting down}) or a client-side description (e.g. {@code connection closed});
     * {@code reconnect} says whether the client will try again.
     */
    record DisconnectEvent(String reason, boolean reconnect) {
    }

    /** The connect reply arrived: the client is authenticated, subscriptions are being restored. */
    default void onConnect(ConnectEvent event) {
    }

    /** An established connection ended; exactly once per {@link #onConnect}. */
    default void onDisconnect(DisconnectEvent event) {
    }

    /**
     * Something went wrong that no future reports: a failed connect attempt, a failed refresh, an error reply to a
     * command sent by the client itself. For logging; the client handles the consequence.
     */
    default void onError(RotorClientException error) {
    }

    /**
     * Terminal: the client stopped for good, because {@link RotorClient#close()} was called, the server advised
     * {@code reconnect: false}, or the reconnect attempts ran out. Called exactly once per client that was
     * {@linkplain RotorClient#connect() connected}.
     */
    default void onClosed(DisconnectEvent event) {
    }
}
