package dev.rotor.sdk.client;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;

/**
 * Events of one {@link Subscription}, mirroring centrifuge-js's subscription events ({@code message}, {@code join},
 * {@code leave}, {@code subscribe}, {@code error}, {@code unsubscribe}). Every method has a no-op default. Methods
 * run on the client's callback executor, one at a time, in the order the server sent the frames.
 */
public interface SubscriptionListener {

    /**
     * The server acknowledged the subscription. {@code resubscribe} is true after a reconnect; {@code recovered} is
     * true when the server confirmed that every message missed while disconnected was delivered (those messages
     * follow this event through {@link #onMessage}, oldest first).
     */
    record SubscribeSuccess(String channel, boolean resubscribe, boolean recovered) {
    }

    /** The server refused the subscription; {@code error} carries its v1 error string and advice. */
    record SubscribeError(String channel, RotorClientException error, boolean resubscribe) {
    }

    /** Someone joined or left the channel (channels with {@code join_leave}). */
    record Presence(String channel, ClientInfo info) {
    }

    /** A publication in the channel, live or recovered after a reconnect. */
    default void onMessage(Message message) {
    }

    default void onJoin(Presence join) {
    }

    default void onLeave(Presence leave) {
    }

    default void onSubscribeSuccess(SubscribeSuccess event) {
    }

    default void onSubscribeError(SubscribeError event) {
    }

    /**
     * The subscription stopped being active: {@link Subscription#unsubscribe()}, a server-side unsubscribe, or the
     * connection dropping (it is restored after the reconnect, with {@link #onSubscribeSuccess} again).
     */
    default void onUnsubscribe(String channel) {
    }
}
