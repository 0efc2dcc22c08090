package dev.rotor.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * v1's HMAC-SHA256 tokens and signs. Thread-safe: each thread keeps its own {@link Mac} instance, which only avoids
 * the provider lookup; no state survives between calls.
 *
 * <p>Checks compare in constant time against a 64-character lowercase hex string; any other length, or uppercase
 * hex, is rejected without computing (v1 compares bytes, client-protocol.md §4).
 */
public final class Hmac {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    });

    private Hmac() {
    }

    /** Lowercase hex HMAC-SHA256 of {@code message} keyed with {@code secret} (an empty secret is legal). */
    public static String hex(String secret, byte[] message) {
        return new String(hexBytes(secret, message), StandardCharsets.US_ASCII);
    }

    private static byte[] hexBytes(String secret, byte[] message) {
        Mac mac = MAC.get();
        try {
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            // SecretKeySpec rejects empty keys; HMAC with an empty key equals HMAC with one zero byte block
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        byte[] digest = mac.doFinal(message);
        byte[] out = new byte[digest.length * 2];
        for (int i = 0; i < digest.length; i++) {
            out[2 * i] = HEX[(digest[i] >> 4) & 0xF];
            out[2 * i + 1] = HEX[digest[i] & 0xF];
        }
        return out;
    }

    /** Connection token: HMAC(secret, user + timestamp + info). */
    public static String clientToken(String secret, String user, String timestamp, String info) {
        return hex(secret, (user + timestamp + info).getBytes(StandardCharsets.UTF_8));
    }

    /** Private channel sign: HMAC(secret, client + channel + info). */
    public static String channelSign(String secret, String client, String channel, String info) {
        return hex(secret, (client + channel + info).getBytes(StandardCharsets.UTF_8));
    }

    /** API sign: HMAC(secret, payload bytes). */
    public static String apiSign(String secret, byte[] payload) {
        return hex(secret, payload);
    }

    public static boolean checkClientToken(String secret, String user, String timestamp, String info, String token) {
        return check(secret, (user + timestamp + info).getBytes(StandardCharsets.UTF_8), token);
    }

    public static boolean checkChannelSign(String secret, String client, String channel, String info, String sign) {
        return check(secret, (client + channel + info).getBytes(StandardCharsets.UTF_8), sign);
    }

    public static boolean checkApiSign(String secret, byte[] payload, String sign) {
        return check(secret, payload, sign);
    }

    private static boolean check(String secret, byte[] message, String provided) {
        if (provided == null || provided.length() != 64) {
            return false;
        }
        byte[] expected = hexBytes(secret, message);
        return MessageDigest.isEqual(expected, provided.getBytes(StandardCharsets.US_ASCII));
    }
}
