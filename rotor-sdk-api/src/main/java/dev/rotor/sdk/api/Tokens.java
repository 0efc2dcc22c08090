package dev.rotor.sdk.api;

import dev.rotor.protocol.Signatures;
import java.time.Instant;

/**
 * What a backend gives its users so they can connect and join private channels (client-protocol.md §4).
 * Thread-safe (stateless).
 */
public final class Tokens {
    private Tokens() {
    }

    /** The parameters a v1 client passes to {@code connect}: user, timestamp, info and their token. */
    public record Credentials(String user, String timestamp, String info, String token) {
    }

    /** Credentials for {@code user} issued now, with optional {@code info} JSON ({@code ""} for none). */
    public static Credentials connect(String secret, String user, String info) {
        String ts = Long.toString(Instant.now().getEpochSecond());
        return new Credentials(user, ts, info, Signatures.clientToken(secret, user, ts, info));
    }

    /** {@code hex(HMAC-SHA256(secret, user + timestamp + info))}. */
    public static String clientToken(String secret, String user, String timestamp, String info) {
        return Signatures.clientToken(secret, user, timestamp, info);
    }

    /** The sign for a private ({@code $}) channel subscription: {@code HMAC(secret, client + channel + info)}. */
    public static String channelSign(String secret, String client, String channel, String info) {
        return Signatures.channelSign(secret, client, channel, info);
    }
}
