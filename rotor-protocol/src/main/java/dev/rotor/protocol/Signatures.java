package dev.rotor.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The v1 signature formulas, lowercase-hex HMAC-SHA256 keyed with the project secret (client-protocol.md §4,
 * http-api.md §2.3): connection tokens, private channel signs and API signs. Part of the wire protocol, so shared
 * by the server (which checks them) and the SDKs (which make them). Thread-safe: each thread keeps its own
 * {@link Mac}, which only saves the provider lookup.
 */
public final class Signatures {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
        try {
            return Mac.getInstance("HmacSHA256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    });

    private Signatures() {
    }

    /** Lowercase hex HMAC-SHA256 of {@code message}, as ASCII bytes. An empty secret is a legal key. */
    public static byte[] hexBytes(String secret, byte[] message) {
        Mac mac = MAC.get();
        try {
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            // SecretKeySpec rejects empty keys; HMAC with an empty key equals HMAC with one zero byte
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

    public static String hex(String secret, byte[] message) {
        return new String(hexBytes(secret, message), StandardCharsets.US_ASCII);
    }

    /** Connection token: HMAC(secret, user + timestamp + info). */
    public static String clientToken(String secret, String user, String timestamp, String info) {
        return hex(secret, (user + timestamp + info).getBytes(StandardCharsets.UTF_8));
    }

    /** Private channel sign: HMAC(secret, client + channel + info). */
    public static String channelSign(String secret, String client, String channel, String info) {
        return hex(secret, (client + channel + info).getBytes(StandardCharsets.UTF_8));
    }

    /** API sign: HMAC(secret, the exact request body). */
    public static String apiSign(String secret, byte[] body) {
        return hex(secret, body);
    }
}
