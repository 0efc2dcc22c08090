package dev.rotor.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Fuzzes JWT parsing and verification ({@link Jwt#verify}) with every algorithm family enabled, and the PEM keys
 * of the configuration ({@link JwtKeys}). A token either verifies or fails with {@link InvalidTokenException};
 * only a token signed with the configured secret verifies. Regression inputs live in
 * {@code JwtFuzzTestInputs/<method>/}; fuzzing runs through {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class JwtFuzzTest {
    private static final String SECRET = "secret";
    private static final long NOW = 1_700_000_000L;
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

    /** Immutable; generated once because RSA key generation is slow. */
    private static final JwtKeys KEYS = keys();

    private static JwtKeys keys() {
        try {
            KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
            rsa.initialize(2048);
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            ec.initialize(new ECGenParameterSpec("secp256r1"));
            return new JwtKeys(SECRET, (RSAPublicKey) rsa.generateKeyPair().getPublic(),
                    (ECPublicKey) ec.generateKeyPair().getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The input's first byte picks how the rest is used (modulo 4): {@code '0'} as the token text; otherwise the
     * rest is a JWS header and payload separated by the first newline, base64url-encoded into a token that is
     * {@code '1'} signed with HS256 and the configured secret, {@code '2'} signed with another secret, or
     * {@code '3'} unsigned.
     */
    @FuzzTest
    void token(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int mode = Math.floorMod(input[0], 4);
        byte[] rest = Arrays.copyOfRange(input, 1, input.length);
        if (mode == 0) {
            verifyOrReject(new String(rest, StandardCharsets.UTF_8));
            return;
        }
        int newline = 0;
        while (newline < rest.length && rest[newline] != '\n') {
            newline++;
        }
        String signingInput = B64URL.encodeToString(Arrays.copyOfRange(rest, 0, newline)) + "."
                + B64URL.encodeToString(Arrays.copyOfRange(rest, Math.min(rest.length, newline + 1), rest.length));
        String token = switch (mode) {
            case 1 -> signingInput + "." + B64URL.encodeToString(hs256(SECRET, signingInput));
            case 2 -> signingInput + "." + B64URL.encodeToString(hs256("another " + SECRET, signingInput));
            default -> signingInput + ".";
        };
        if (mode != 1) {
            assertThatThrownBy(() -> Jwt.verify(token, KEYS, NOW)).isInstanceOf(InvalidTokenException.class);
            return;
        }
        if (verifyOrReject(token)) {
            try {
                assertThat(JWSObject.parse(token).getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
            } catch (java.text.ParseException e) {
                throw new AssertionError("a verified token parses", e);
            }
        }
    }

    /** True when the token verified; false when it was rejected as documented. */
    private boolean verifyOrReject(String token) {
        Jwt.Claims claims;
        try {
            claims = Jwt.verify(token, KEYS, NOW);
        } catch (InvalidTokenException e) {
            return false;
        }
        assertThat(claims.sub()).isNotNull();
        assertThat(claims.client()).isNotNull();
        assertThat(claims.channel()).isNotNull();
        return true;
    }

    private static byte[] hs256(String secret, String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM key from the configuration: an RSA or EC key, null for blank text, or a clear error. */
    @FuzzTest
    void pemKey(byte[] input) {
        String pem = new String(input, StandardCharsets.UTF_8);
        try {
            RSAPublicKey rsa = JwtKeys.rsaPublicKey(pem);
            assertThat(rsa == null).isEqualTo(pem.isBlank());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
        try {
            ECPublicKey ec = JwtKeys.ecPublicKey(pem);
            assertThat(ec == null).isEqualTo(pem.isBlank());
        } catch (IllegalArgumentException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
