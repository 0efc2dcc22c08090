package dev.rotor.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * The {@code Authorization: apikey <key>} check of the Centrifugo v2 HTTP API dialect (rubycent-wire.md,
 * "Authentication on the v2 server"). Pure functions; thread-safe.
 */
public final class ApiKey {
    private static final String SCHEME = "apikey";

    private ApiKey() {
    }

    /** True when the header names the {@code apikey} scheme (case-insensitive), whatever the key. */
    public static boolean isApiKeyHeader(String authorization) {
        String[] parts = split(authorization);
        return parts.length >= 1 && parts[0].toLowerCase(Locale.ROOT).equals(SCHEME);
    }

    /**
     * True when the header splits on whitespace into exactly {@code apikey} and a key equal to {@code configured}.
     * An empty configured key matches nothing.
     */
    public static boolean check(String configured, String authorization) {
        String[] parts = split(authorization);
        if (configured == null || configured.isEmpty() || parts.length != 2
                || !parts[0].toLowerCase(Locale.ROOT).equals(SCHEME)) {
            return false;
        }
        return MessageDigest.isEqual(configured.getBytes(StandardCharsets.UTF_8),
                parts[1].getBytes(StandardCharsets.UTF_8));
    }

    private static String[] split(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new String[0];
        }
        return authorization.trim().split("\\s+");
    }
}
