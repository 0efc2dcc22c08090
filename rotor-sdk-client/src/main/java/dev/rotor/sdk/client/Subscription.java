package dev.rotor.sdk.client;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A client's subscription to one channel, created by {@link RotorClient#subscribe}. Thread-safe.
 *
 * <p>Lifecycle: {@link State#SUBSCRIBING} until the server answers (after connecting, after every reconnect), then
 * {@link State#SUBSCRIBED} or {@link State#FAILED}; {@link #unsubscribe()} makes it {@link State#UNSUBSCRIBED} until
 * {@link #subscribe()}. After a reconnect the client resubscribes with {@code recover: true} and the uid of the last
 * message it saw, so messages missed meanwhile arrive, in order, before new ones.
 *
 * <p>{@link #publish}, {@link #presence} and {@link #history} wait until the subscription is active, then send; their
 * futures complete on the callback executor and fail with {@link RotorClientException} (the v1 error text in
 * {@link RotorClientException.ServerError}). The {@code *Blocking} variants wait at most the request timeout.
 */
public interface Subscription {

    enum State { SUBSCRIBING, SUBSCRIBED, FAILED, UNSUBSCRIBED }

    String channel();

    State state();

    /** Completes once subscribed; fails if the current subscribe attempt is refused or the subscription is not active. */
    CompletableFuture<Void> ready();

    /** Publishes JSON text (sent verbatim) into the channel; the channel must allow client {@code publish}. */
    CompletableFuture<Void> publish(String json);

    /** Client id to client info of everyone subscribed; the channel needs {@code presence}. */
    CompletableFuture<Map<String, ClientInfo>> presence();

    /** The channel history, newest first; the channel needs {@code history_size} and {@code history_lifetime}. */
    CompletableFuture<List<Message>> history();

    void publishBlocking(String json);

    Map<String, ClientInfo> presenceBlocking();

    List<Message> historyBlocking();

    /** Stops the subscription (sends {@code unsubscribe} when connected). Idempotent. */
    void unsubscribe();

    /** Subscribes again after {@link #unsubscribe()} or a server-side unsubscribe; no-op while active. */
    void subscribe();
}
