package dev.rotor.auth;

import dev.rotor.protocol.Signatures;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Checks v1's HMAC-SHA256 tokens and signs, whose formulas live in {@link Signatures}. Thread-safe.
 *
 * <p>Checks compare in constant time against a 64-character lowercase hex string; any other length, or uppercase
 * hex, is rejected without computing (v1 compares bytes, client-protocol.md §4).
 */
public final class Hmac {
    private Hmac() {
    }

    public static String hex(String secret, byte[] message) {
        return Signatures.hex(secret, message);
    }

    public static String clientToken(String secret, String user, String timestamp, String info) {
        return Signatures.clientToken(secret, user, timestamp, info);
    }

    public static String channelSign(String secret, String client, String channel, String info) {
        return Signatures.channelSign(secret, client, channel, info);
    }

    public static String apiSign(String secret, byte[] payload) {
        return Signatures.apiSign(secret, payload);
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
        return MessageDigest.isEqual(Signatures.hexBytes(secret, message),
                provided.getBytes(StandardCharsets.US_ASCII));
    }
}
