package dev.rotor.sdk.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * Signs several channels at once; the client uses it when it subscribes to several private channels together
     * (after a reconnect). The result maps each channel to its sign; a channel missing from it fails that
     * subscription. The default asks {@link #sign} per channel; override it to make one request for all, as
     * {@link HttpChannelSigner} and centrifuge-js do.
     */
    default CompletableFuture<Map<String, ChannelSign>> signAll(String clientId, List<String> channels) {
        Map<String, CompletableFuture<ChannelSign>> each = new LinkedHashMap<>();
        channels.forEach(ch -> each.put(ch, sign(clientId, ch)));
        return CompletableFuture.allOf(each.values().toArray(CompletableFuture[]::new)).thenApply(v -> {
            Map<String, ChannelSign> out = new LinkedHashMap<>();
            each.forEach((ch, f) -> out.put(ch, f.join()));
            return out;
        });
    }
}
