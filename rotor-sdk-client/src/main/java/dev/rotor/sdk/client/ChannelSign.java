package dev.rotor.sdk.client;

import java.util.Objects;

/**
 * What the application backend returns to authorise a private channel subscription (client-protocol.md §4):
 * the {@code sign} HMAC over client id, channel and {@code info}, and that {@code info} JSON string ({@code ""} for
 * none). Immutable.
 */
public record ChannelSign(String sign, String info) {
    public ChannelSign {
        Objects.requireNonNull(sign, "sign");
        info = info == null ? "" : info;
    }
}
