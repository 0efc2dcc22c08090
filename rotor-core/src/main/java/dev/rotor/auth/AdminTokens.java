package dev.rotor.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Admin web tokens in v1's format, a gorilla/securecookie value named {@code token} holding the gob-encoded string
 * {@code authorized}, MACed with {@code admin_secret} (admin-and-web.md §2.1), so tokens are interchangeable with Go
 * nodes sharing the secret. Pure functions; thread-safe.
 *
 * <pre>
 * token = base64url(ts + "|" + v + "|" + mac)      v = base64url(gob("authorized"))
 * mac   = HMAC_SHA256(admin_secret, "token|" + ts + "|" + v)   (raw 32 bytes)
 * </pre>
 */
public final class AdminTokens {
    /** base64url of the gob encoding of the string "authorized". */
    static final String VALUE = "DQwACmF1dGhvcml6ZWQ=";
    private static final long MAX_AGE_SECONDS = 30L * 24 * 3600;
    private static final int MAX_LENGTH = 4096;

    private AdminTokens() {
    }

    /** A token issued at {@code nowSeconds}. */
    public static String issue(String adminSecret, long nowSeconds) {
        String ts = Long.toString(nowSeconds);
        byte[] mac = mac(adminSecret, "token|" + ts + "|" + VALUE);
        byte[] head = (ts + "|" + VALUE + "|").getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(head, head.length + mac.length);
        System.arraycopy(mac, 0, all, head.length, mac.length);
        return Base64.getUrlEncoder().encodeToString(all);
    }

    /** True for a token MACed with this secret, not older than 30 days (future timestamps are accepted, as in v1). */
    public static boolean verify(String adminSecret, String token, long nowSeconds) {
        if (adminSecret.isEmpty() || token == null || token.isEmpty() || token.length() > MAX_LENGTH) {
            return false;
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(token);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int first = indexOf(raw, 0);
        int second = first < 0 ? -1 : indexOf(raw, first + 1);
        if (second < 0) {
            return false;
        }
        String ts = new String(raw, 0, first, StandardCharsets.US_ASCII);
        String value = new String(raw, first + 1, second - first - 1, StandardCharsets.US_ASCII);
        byte[] mac = Arrays.copyOfRange(raw, second + 1, raw.length);
        if (!MessageDigest.isEqual(mac, mac(adminSecret, "token|" + ts + "|" + value))) {
            return false;
        }
        long issued;
        try {
            issued = Long.parseLong(ts);
        } catch (NumberFormatException e) {
            return false;
        }
        return issued >= nowSeconds - MAX_AGE_SECONDS && VALUE.equals(value);
    }

    private static int indexOf(byte[] raw, int from) {
        for (int i = from; i < raw.length; i++) {
            if (raw[i] == '|') {
                return i;
            }
        }
        return -1;
    }

    private static byte[] mac(String secret, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            byte[] key = secret.getBytes(StandardCharsets.UTF_8);
            mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA256"));
            return mac.doFinal(message.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
