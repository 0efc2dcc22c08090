package dev.rotor.sdk.client;

import java.util.concurrent.CompletableFuture;

/**
 * Authorises subscriptions to private channels (names starting with the private prefix, {@code $} by default), the
 * Java counterpart of centrifuge-js's {@code authEndpoint}. The client calls it on every (re)subscribe, because the
 * sign covers the connection's client id, which changes on each reconnect. {@link HttpChannelSigner} posts to an
 * endpoint exactly as centrifuge-js does.
 *
 * <p>Implementations must be thread-safe and must not block. A failed future fails the subscription with a
 * {@link RotorClientException}.
 */
@FunctionalInterface
public interface ChannelSigner {
    CompletableFuture<ChannelSign> sign(String clientId, String channel);
}
