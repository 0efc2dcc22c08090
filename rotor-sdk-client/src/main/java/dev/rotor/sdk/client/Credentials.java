package dev.rotor.sdk.client;

import java.util.Objects;

/**
 * The connection parameters a backend issues for one user (client-protocol.md §4, §5.1): {@code user},
 * {@code timestamp} (Unix seconds as a string), optional {@code info} JSON ({@code ""} for none) and the
 * {@code token} HMAC over them. Immutable.
 */
public record Credentials(String user, String timestamp, String info, String token) {
    public Credentials {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(timestamp, "timestamp");
        Objects.requireNonNull(token, "token");
        info = info == null ? "" : info;
    }
}
