package dev.rotor.auth;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The keys that verify JWT connection and channel tokens, one per algorithm family, as Centrifugo v2 configures
 * them (rubycent-wire.md, "How Centrifugo v2 reads them"). A family without a key is disabled: its tokens are
 * rejected. Immutable and thread-safe.
 *
 * @param hmacSecret the HS256/384/512 key (UTF-8 bytes of the string); empty disables the HMAC family
 * @param rsa        the RS256/384/512 public key, or null
 * @param ecdsa      the ES256/384/512 public key (its curve fixes the one algorithm it verifies), or null
 */
public record JwtKeys(String hmacSecret, RSAPublicKey rsa, ECPublicKey ecdsa) {
    /** No family enabled. */
    public static final JwtKeys NONE = new JwtKeys("", null, null);

    public JwtKeys {
        hmacSecret = hmacSecret == null ? "" : hmacSecret;
    }

    /** The same keys with another HMAC secret. */
    public JwtKeys withHmacSecret(String secret) {
        return new JwtKeys(secret, rsa, ecdsa);
    }

    /**
     * An RSA public key from PEM text: a {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo, what
     * {@code openssl rsa -pubout} writes) or a {@code CERTIFICATE}; empty text gives null.
     *
     * @throws IllegalArgumentException with a message saying what is wrong
     */
    public static RSAPublicKey rsaPublicKey(String pem) {
        return publicKey(pem, "RSA", RSAPublicKey.class);
    }

    /** An EC public key from PEM text, as {@link #rsaPublicKey}. */
    public static ECPublicKey ecPublicKey(String pem) {
        return publicKey(pem, "EC", ECPublicKey.class);
    }

    private static <K extends PublicKey> K publicKey(String pem, String algorithm, Class<K> type) {
        PublicKey key = publicKey(pem, algorithm);
        if (key == null) {
            return null;
        }
        if (!type.isInstance(key)) {
            throw new IllegalArgumentException("expected an " + algorithm + " public key, got " + key.getAlgorithm());
        }
        return type.cast(key);
    }

    private static PublicKey publicKey(String pem, String algorithm) {
        if (pem == null || pem.isBlank()) {
            return null;
        }
        String text = pem.trim();
        String type = blockType(text);
        byte[] der = blockBody(text);
        try {
            return switch (type) {
                case "PUBLIC KEY" -> KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
                case "CERTIFICATE" -> CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der)).getPublicKey();
                default -> throw new IllegalArgumentException("expected a PEM block \"PUBLIC KEY\" or"
                        + " \"CERTIFICATE\", got \"" + type + "\"");
            };
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a valid " + algorithm + " public key: " + e.getMessage(), e);
        }
    }

    private static String blockType(String text) {
        String begin = "-----BEGIN ";
        if (!text.startsWith(begin)) {
            throw new IllegalArgumentException("expected PEM text starting with \"-----BEGIN \"");
        }
        int end = text.indexOf("-----", begin.length());
        if (end < 0) {
            throw new IllegalArgumentException("malformed PEM header");
        }
        return text.substring(begin.length(), end);
    }

    private static byte[] blockBody(String text) {
        int start = text.indexOf('\n');
        int end = text.indexOf("-----END ");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("malformed PEM: no \"-----END \" line");
        }
        String base64 = text.substring(start + 1, end).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(base64.getBytes(StandardCharsets.US_ASCII));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed PEM: the body is not base64", e);
        }
    }
}
