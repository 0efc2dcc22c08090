package dev.rotor.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * JWT verification against tokens made by an independent implementation: {@code jwt/jwt-vectors.json} was written
 * by {@code jwt/make-vectors.js} with Node's crypto, in the exact form Cent::Notary (ruby-jwt) issues (header
 * {@code {"alg":..}} only, compact claims), with RSA 2048, P-256 and P-384 keys whose public halves sit next to it.
 */
class JwtTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOW = 1_700_000_000L;

    private final JsonNode fixture = read("jwt-vectors.json");
    private final JwtKeys keys = new JwtKeys(fixture.get("secret").asText(),
            JwtKeys.rsaPublicKey(text("rsa-public.pem")), JwtKeys.ecPublicKey(text("ec256-public.pem")));
    private final JwtKeys p384 = new JwtKeys("", null, JwtKeys.ecPublicKey(text("ec384-public.pem")));

    @Test
    void everyVectorVerifiesToExactlyItsClaims() throws Exception {
        List<String> checked = new ArrayList<>();
        for (JsonNode v : fixture.get("vectors")) {
            String alg = v.get("alg").asText();
            JwtKeys k = alg.equals("ES384") ? p384 : keys;
            JsonNode expected = JSON.readTree(v.get("claims").asText());

            Jwt.Claims c = Jwt.verify(v.get("token").asText(), k, NOW);

            assertThat(c.sub()).as(v.get("name").asText()).isEqualTo(expected.path("sub").asText(""));
            assertThat(c.client()).isEqualTo(expected.path("client").asText(""));
            assertThat(c.channel()).isEqualTo(expected.path("channel").asText(""));
            assertThat(c.expires()).isEqualTo(expected.has("exp"));
            assertThat(c.exp()).isEqualTo(expected.path("exp").asLong(0));
            assertThat(c.kind()).isEqualTo(v.get("name").asText().contains("channel token")
                    ? Jwt.Kind.CHANNEL : Jwt.Kind.CONNECTION);
            if (expected.has("info")) {
                assertThat(JSON.readTree(c.info().bytes())).isEqualTo(expected.get("info"));
            } else if (expected.has("b64info")) {
                assertThat(JSON.readTree(c.info().bytes()))
                        .isEqualTo(JSON.readTree(Base64.getDecoder().decode(expected.get("b64info").asText())));
            } else {
                assertThat(c.info()).isNull();
            }
            checked.add(alg);
        }
        assertThat(checked).contains("HS256", "HS384", "HS512", "RS256", "RS512", "ES256", "ES384");
    }

    @Test
    void infoIsKeptByteForByteAsInThePayload() throws Exception {
        Jwt.Claims c = Jwt.verify(vector("hs256 connection token as the README issues it"), keys, NOW);
        assertThat(new String(c.info().bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"scope\":\"admin\"}");
        Jwt.Claims plain = Jwt.verify(vector("es384 channel token"), p384, NOW);
        assertThat(new String(plain.info().bytes(), StandardCharsets.UTF_8)).isEqualTo("\"plain\"");
    }

    @Test
    void ourHs256SigningInputMatchesNodeByteForByte() throws Exception {
        // Recomputing Node's HS256 token from its claims with the JDK gives the identical string: the base64url
        // and signing-input conventions agree, so tokens from any conforming issuer verify.
        for (JsonNode v : fixture.get("vectors")) {
            if (v.get("alg").asText().equals("HS256")) {
                assertThat(hs256("secret", "{\"alg\":\"HS256\"}", v.get("claims").asText()))
                        .isEqualTo(v.get("token").asText());
            }
        }
    }

    @Test
    void tamperedTokensAreRejected() {
        String token = vector("hs256 connection token with sub only");
        String[] parts = token.split("\\.");
        String otherPayload = b64("{\"sub\":\"43\"}");
        assertInvalid(parts[0] + "." + otherPayload + "." + parts[2], keys);
        assertInvalid(token, keys.withHmacSecret("other"));
        assertInvalid(token.substring(0, token.length() - 2), keys);
        String rs = vector("rs256 connection token");
        assertInvalid(rs.substring(0, rs.length() - 4) + "AAAA", keys);
    }

    @Test
    void aFamilyWithoutAKeyIsDisabled() {
        assertInvalid(vector("hs256 connection token with sub only"), new JwtKeys("", keys.rsa(), keys.ecdsa()));
        assertInvalid(vector("rs256 connection token"), new JwtKeys("secret", null, keys.ecdsa()));
        assertInvalid(vector("es256 connection token"), new JwtKeys("secret", keys.rsa(), null));
        // the P-384 key verifies ES384 only
        assertInvalid(vector("es256 connection token"), p384);
    }

    @Test
    void unsignedAndConfusedAlgorithmsAreRejected() throws Exception {
        String payload = b64("{\"sub\":\"42\"}");
        assertInvalid(b64("{\"alg\":\"none\"}") + "." + payload + ".", keys);
        assertInvalid(b64("{\"alg\":\"PS256\"}") + "." + payload + ".AAAA", keys);
        // HS256 "signed" with the RSA public key text must not pass as an RS256 key
        String pemSecret = text("rsa-public.pem");
        assertInvalid(hs256(pemSecret, "{\"alg\":\"HS256\"}", "{\"sub\":\"42\"}"), new JwtKeys("", keys.rsa(), null));
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\",\"crit\":[\"exp\"],\"exp\":1}", "{\"sub\":\"42\"}"),
                keys);
    }

    @Test
    void claimsOfTheWrongTypeOrNotYetValidAreRejected() throws Exception {
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "{\"sub\":42}"), keys);
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "{\"exp\":\"soon\"}"), keys);
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "[1]"), keys);
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "{\"b64info\":\"!!\"}"), keys); // not base64
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "{\"b64info\":\"bm9wZQ==\"}"), keys); // "nope"
        assertInvalid(hs256("secret", "{\"alg\":\"HS256\"}", "{\"sub\":\"1\",\"nbf\":" + (NOW + 10) + "}"), keys);
        assertThat(Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", "{\"sub\":\"1\",\"nbf\":" + NOW + "}"), keys,
                NOW).sub()).isEqualTo("1");
        assertThat(Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", "{\"sub\":\"1\",\"exp\":1.9e9}"), keys,
                NOW).exp()).isEqualTo(1_900_000_000L);
    }

    @Test
    void malformedTokensAreRejected() {
        for (String bad : new String[] {"", ".", "a.b", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "x".repeat(70_000) + ".a.b"}) {
            assertInvalid(bad, keys);
        }
    }

    @Test
    void aHeaderThatIsNotAJsonObjectIsMalformed() {
        // found by JwtFuzzTest: nimbus threw a NullPointerException for the header "null"
        for (String header : new String[] {"null", "[]", "1"}) {
            assertInvalid(b64(header) + "." + b64("{\"sub\":\"1\"}") + ".", keys);
        }
    }

    @Test
    void expiryIsTheCallersDecision() throws Exception {
        Jwt.Claims c = Jwt.verify(vector("hs384 connection token"), keys, NOW);
        assertThat(c.exp()).isEqualTo(1_629_050_099L);
        assertThat(c.expiredAt(1_629_050_098L)).isFalse();
        assertThat(c.expiredAt(1_629_050_099L)).isTrue();
        assertThat(Jwt.verify(vector("hs256 connection token with sub only"), keys, NOW).expiredAt(Long.MAX_VALUE))
                .isFalse();
    }

    @Test
    void anExpAtOrBelowZeroIsInThePastNotAbsent() throws Exception {
        for (String exp : new String[] {"0", "-1", "-0.5", "-1700000000", "-9223372036854775808",
            "-99999999999999999999999", "-1e400", "1"}) {
            Jwt.Claims c = Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", "{\"sub\":\"1\",\"exp\":" + exp + "}"),
                    keys, NOW);
            assertThat(c.expires()).as(exp).isTrue();
            assertThat(c.expiredAt(NOW)).as(exp).isTrue();
            assertThat(c.expiredAt(0)).as(exp).isEqualTo(!exp.equals("1"));
        }
        Jwt.Claims huge = Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", "{\"exp\":99999999999999999999999}"),
                keys, NOW);
        assertThat(huge.exp()).isEqualTo(Long.MAX_VALUE);
        assertThat(huge.expiredAt(NOW)).isFalse();
    }

    @Test
    void anAbsentOrNullExpNeverExpires() throws Exception {
        for (String claims : new String[] {"{\"sub\":\"1\"}", "{\"sub\":\"1\",\"exp\":null}"}) {
            Jwt.Claims c = Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", claims), keys, NOW);
            assertThat(c.expires()).as(claims).isFalse();
            assertThat(c.expiredAt(Long.MAX_VALUE)).as(claims).isFalse();
        }
    }

    @Test
    void theClaimsPresentDecideTheKindOfToken() throws Exception {
        String[][] cases = {
            {"{\"sub\":\"42\"}", "CONNECTION"},
            {"{\"sub\":\"\"}", "CONNECTION"},
            {"{}", "CONNECTION"}, // anonymous
            {"{\"sub\":\"42\",\"client\":null,\"channel\":null}", "CONNECTION"}, // null is absent
            {"{\"client\":\"c-1\",\"channel\":\"$x\"}", "CHANNEL"},
            {"{\"channel\":\"$x\"}", "CHANNEL"},
            {"{\"client\":\"\"}", "CHANNEL"},
            {"{\"sub\":\"42\",\"client\":\"c-1\",\"channel\":\"$x\"}", "AMBIGUOUS"},
            {"{\"sub\":\"\",\"channel\":\"$x\"}", "AMBIGUOUS"},
        };
        for (String[] c : cases) {
            assertThat(Jwt.verify(hs256("secret", "{\"alg\":\"HS256\"}", c[0]), keys, NOW).kind()).as(c[0])
                    .isEqualTo(Jwt.Kind.valueOf(c[1]));
        }
    }

    @Test
    void onlyDottedTokensLookLikeJwts() {
        assertThat(Jwt.looksLikeJwt(vector("hs256 connection token with sub only"))).isTrue();
        assertThat(Jwt.looksLikeJwt(Hmac.clientToken("secret", "42", "1500000000", ""))).isFalse();
        assertThat(Jwt.looksLikeJwt("")).isFalse();
        assertThat(Jwt.looksLikeJwt(null)).isFalse();
    }

    @Test
    void pemKeysParseOrFailWithAMessage() {
        assertThat(JwtKeys.rsaPublicKey("")).isNull();
        assertThat(JwtKeys.ecPublicKey("  ")).isNull();
        assertThat(keys.rsa().getModulus().bitLength()).isEqualTo(2048);
        assertThatThrownBy(() -> JwtKeys.rsaPublicKey(text("ec256-public.pem")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RSA public key");
        assertThatThrownBy(() -> JwtKeys.ecPublicKey("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("\"PRIVATE KEY\"");
        assertThatThrownBy(() -> JwtKeys.rsaPublicKey("MIIBIjANBg"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PEM");
        assertThatThrownBy(() -> JwtKeys.rsaPublicKey("-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("base64");
    }

    private void assertInvalid(String token, JwtKeys k) {
        assertThatThrownBy(() -> Jwt.verify(token, k, NOW)).isInstanceOf(InvalidTokenException.class);
    }

    private String vector(String name) {
        for (JsonNode v : fixture.get("vectors")) {
            if (v.get("name").asText().equals(name)) {
                return v.get("token").asText();
            }
        }
        throw new IllegalArgumentException("no vector " + name);
    }

    /** An HS256 token computed by hand with the JDK. */
    static String hs256(String secret, String header, String claims) throws Exception {
        String input = b64(header) + "." + b64(claims);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] sig = mac.doFinal(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
    }

    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode read(String name) {
        try {
            return JSON.readTree(text(name));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(String name) {
        try (InputStream in = JwtTest.class.getResourceAsStream("/jwt/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource jwt/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
