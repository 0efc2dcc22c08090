package dev.rotor.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.Params;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.RawJson;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.text.ParseException;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies JWT connection and channel tokens as Centrifugo v2 reads them (rubycent-wire.md, "JWTs from
 * Cent::Notary"): compact JWS, algorithms HS256/384/512, RS256/384/512 and ES256/384/512, claims {@code sub},
 * {@code client}, {@code channel}, {@code info} (or {@code b64info}), {@code exp} and {@code nbf}. Pure functions;
 * thread-safe.
 *
 * <p>HMAC is computed with the JDK so that short secrets work, as with ruby-jwt and v1's hex tokens (nimbus
 * refuses HMAC keys under 256 bits); RSA and ECDSA (with its JOSE {@code R||S} signature form) go through
 * nimbus-jose-jwt. {@code exp} is returned, not checked: what an expired token means depends on the caller. So is
 * the token's {@link Kind}: the caller refuses a token of the wrong kind.
 */
public final class Jwt {
    private static final Set<JWSAlgorithm> HMAC = Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
    private static final Set<JWSAlgorithm> RSA = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384, JWSAlgorithm.RS512);
    private static final Set<JWSAlgorithm> ECDSA = Set.of(JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512);
    /** Far above any real token; bounds the work spent on garbage. */
    private static final int MAX_LENGTH = 64 * 1024;

    private Jwt() {
    }

    /**
     * What a token is for, decided by which claims it carries (docs/api-v2-dialect.md, "Which token is which"): a
     * {@code client} or {@code channel} claim makes a channel token, a {@code sub} claim a connection token, and a
     * token with none of them is an anonymous connection token. A token with both kinds of claims is ambiguous and
     * is accepted nowhere, so no token signed for one purpose can be replayed for the other.
     */
    public enum Kind {
        CONNECTION, CHANNEL, AMBIGUOUS;

        static Kind of(Params.TokenClaims c) {
            boolean channelClaims = c.client() != null || c.channel() != null;
            if (channelClaims) {
                return c.sub() != null ? AMBIGUOUS : CHANNEL;
            }
            return CONNECTION;
        }
    }

    /**
     * Verified claims; strings are empty when absent.
     *
     * @param info    the {@code info} claim as raw JSON (or the decoded {@code b64info}), null when absent
     * @param expires whether the token has an {@code exp} claim; without one it never expires
     * @param exp     the {@code exp} claim in UNIX seconds (any value, zero and negative included, is a time);
     *                meaningless when {@code expires} is false
     * @param kind    what the token is for
     */
    public record Claims(String sub, String client, String channel, RawJson info, boolean expires, long exp,
            Kind kind) {
        /**
         * True when the token has an expiry and it is not after {@code nowSeconds}. An {@code exp} of zero or below
         * is in the past like any other (RFC 7519 §4.1.4), never "no expiry".
         */
        public boolean expiredAt(long nowSeconds) {
            return expires && exp <= nowSeconds;
        }
    }

    /** True when {@code token} has the shape of a JWT; v1's hex tokens and signs never contain a dot. */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.indexOf('.') >= 0;
    }

    /**
     * Checks the signature with the key of the token's algorithm family and {@code nbf}, and decodes the claims.
     *
     * @throws InvalidTokenException for a malformed token, a disabled or unknown algorithm, a bad signature,
     *                               claims of the wrong type or a token not valid yet
     */
    public static Claims verify(String token, JwtKeys keys, long nowSeconds) throws InvalidTokenException {
        if (token == null || token.length() > MAX_LENGTH) {
            throw new InvalidTokenException("malformed JWT");
        }
        JWSObject jws;
        try {
            jws = JWSObject.parse(token);
        } catch (ParseException | RuntimeException e) {
            // nimbus also throws unchecked exceptions, e.g. a NullPointerException for the header "null"
            throw new InvalidTokenException("malformed JWT: " + e);
        }
        if (jws.getHeader().getCriticalParams() != null && !jws.getHeader().getCriticalParams().isEmpty()) {
            throw new InvalidTokenException("unsupported critical JWT header " + jws.getHeader().getCriticalParams());
        }
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        if (!verified(jws, alg, keys)) {
            throw new InvalidTokenException("JWT signature does not match");
        }
        Params.TokenClaims c;
        try {
            c = Params.tokenClaims(RawJson.wrap(jws.getPayload().toBytes()));
        } catch (ProtocolException e) {
            throw new InvalidTokenException("JWT claims are not a JSON object of the expected types");
        }
        if (c.nbf() > nowSeconds) {
            throw new InvalidTokenException("JWT not valid before " + c.nbf());
        }
        RawJson info = c.info();
        if (info == null && !c.b64info().isEmpty()) {
            info = decodeB64Info(c.b64info());
        }
        return new Claims(orEmpty(c.sub()), orEmpty(c.client()), orEmpty(c.channel()), info, c.exp() != null,
                c.exp() == null ? 0 : c.exp(), Kind.of(c));
    }

    private static String orEmpty(String claim) {
        return claim == null ? "" : claim;
    }

    private static boolean verified(JWSObject jws, JWSAlgorithm alg, JwtKeys keys) throws InvalidTokenException {
        try {
            if (HMAC.contains(alg)) {
                if (keys.hmacSecret().isEmpty()) {
                    throw disabled(alg);
                }
                return MessageDigest.isEqual(hmac(alg, keys.hmacSecret(), jws.getSigningInput()),
                        jws.getSignature().decode());
            }
            JWSVerifier verifier;
            if (RSA.contains(alg)) {
                if (keys.rsa() == null) {
                    throw disabled(alg);
                }
                verifier = new RSASSAVerifier(keys.rsa());
            } else if (ECDSA.contains(alg)) {
                if (keys.ecdsa() == null) {
                    throw disabled(alg);
                }
                verifier = new ECDSAVerifier(keys.ecdsa());
            } else {
                throw disabled(alg);
            }
            // nimbus also refuses an ES algorithm that does not match the key's curve
            return jws.verify(verifier);
        } catch (JOSEException e) {
            throw new InvalidTokenException("JWT cannot be verified: " + e.getMessage());
        }
    }

    private static InvalidTokenException disabled(JWSAlgorithm alg) {
        return new InvalidTokenException("disabled JWT algorithm " + alg);
    }

    private static byte[] hmac(JWSAlgorithm alg, String secret, byte[] input) {
        String name = "Hmac" + "SHA" + alg.getName().substring(2);
        try {
            Mac mac = Mac.getInstance(name);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), name));
            return mac.doFinal(input);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(name + " is not available in this JVM", e);
        }
    }

    private static RawJson decodeB64Info(String b64info) throws InvalidTokenException {
        byte[] json;
        try {
            json = Base64.getDecoder().decode(b64info);
        } catch (IllegalArgumentException e) {
            throw new InvalidTokenException("JWT b64info is not base64");
        }
        if (!JsonCodec.isValid(json)) {
            throw new InvalidTokenException("JWT b64info is not JSON");
        }
        return RawJson.wrap(json);
    }
}
