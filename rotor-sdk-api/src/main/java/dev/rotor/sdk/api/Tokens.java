package dev.rotor.sdk.api;

import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a backend gives its users so they can connect and join private channels: v1's hex tokens and signs
 * (client-protocol.md §4) and, for Rotor only, HS256 JWTs in the form the Ruby gem's {@code Cent::Notary} issues
 * (docs/api-v2-dialect.md). Thread-safe (stateless).
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

    /**
     * Beyond v1 (Rotor only): an HS256 connection JWT with claims {@code sub}, {@code info} and {@code exp}, as
     * {@code Cent::Notary#issue_connection_token} builds it. A v1 client sends it as its {@code token}.
     *
     * @param info       JSON text of the connection info, or null for none
     * @param expSeconds UNIX seconds when the connection expires, or 0 for a token that does not expire
     * @throws IllegalArgumentException when {@code info} is not valid JSON, the secret is empty or
     *                                  {@code expSeconds} is negative (a negative {@code exp} is in the past, so
     *                                  the server refuses the token as expired; 0 is the only "no expiry")
     */
    public static String connectionJwt(String secret, String sub, String info, long expSeconds) {
        JsonWriter w = new JsonWriter(64).raw('{').key("sub").string(sub);
        return hs256(secret, claims(w, info, expSeconds));
    }

    /**
     * Beyond v1 (Rotor only): an HS256 private channel JWT with claims {@code client}, {@code channel},
     * {@code info} and {@code exp}, as {@code Cent::Notary#issue_channel_token} builds it. The client sends it as
     * the channel's {@code sign}. {@code info} and {@code expSeconds} as for {@link #connectionJwt}.
     */
    public static String channelJwt(String secret, String client, String channel, String info, long expSeconds) {
        JsonWriter w = new JsonWriter(96).raw('{').key("client").string(client).raw(',').key("channel")
                .string(channel);
        return hs256(secret, claims(w, info, expSeconds));
    }

    private static byte[] claims(JsonWriter w, String info, long expSeconds) {
        if (expSeconds < 0) {
            throw new IllegalArgumentException("expSeconds must be 0 (no expiry) or a UNIX time, got " + expSeconds);
        }
        if (info != null) {
            byte[] json = info.getBytes(StandardCharsets.UTF_8);
            if (!JsonCodec.isValid(json)) {
                throw new IllegalArgumentException("info is not valid JSON: " + info);
            }
            w.raw(',').key("info").raw(json);
        }
        if (expSeconds > 0) {
            w.raw(',').key("exp").number(expSeconds);
        }
        return w.raw('}').toByteArray();
    }

    private static String hs256(String secret, byte[] claims) {
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("an HS256 token needs a non-empty secret");
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        // {"alg":"HS256"}: no typ, exactly as ruby-jwt writes it for the gem
        String input = "eyJhbGciOiJIUzI1NiJ9." + b64.encodeToString(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return input + "." + b64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
