package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Beyond v1: {@code api_key} and the JWT key options (docs/api-v2-dialect.md). */
class TokenKeysConfigTest {
    @TempDir
    Path dir;

    @Test
    void defaultsLeaveTheV2DialectRefusedAndJwtsOnTheSecret() throws IOException {
        RotorConfig c = load("{\"secret\": \"s\"}");
        assertThat(c.node().apiKey()).isEmpty();
        assertThat(c.node().jwtKeys().hmacSecret()).isEqualTo("s");
        assertThat(c.node().jwtKeys().rsa()).isNull();
        assertThat(c.node().jwtKeys().ecdsa()).isNull();
    }

    @Test
    void keysAreReadFromTheFile() throws Exception {
        String rsa = pem("RSA", null);
        String ec = pem("EC", "secp256r1");
        RotorConfig c = load("{\"secret\": \"s\", \"api_key\": \"k\", \"token_hmac_secret_key\": \"h\", "
                + "\"token_rsa_public_key\": " + quote(rsa) + ", \"token_ecdsa_public_key\": " + quote(ec) + "}");
        assertThat(c.node().apiKey()).isEqualTo("k");
        assertThat(c.node().jwtKeys().hmacSecret()).isEqualTo("h");
        assertThat(c.node().jwtKeys().rsa().getAlgorithm()).isEqualTo("RSA");
        assertThat(c.node().jwtKeys().ecdsa().getParams().getCurve().getField().getFieldSize()).isEqualTo(256);
        // v1's hex tokens keep using secret
        assertThat(c.node().secret()).isEqualTo("s");
    }

    @Test
    void aKeyThatDoesNotParseFailsNamingTheOption() throws Exception {
        assertThatThrownBy(() -> load("{\"token_rsa_public_key\": \"not a pem\"}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config error: token_rsa_public_key: expected PEM text");
        String ec = pem("EC", "secp256r1");
        assertThatThrownBy(() -> load("{\"token_rsa_public_key\": " + quote(ec) + "}"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("config error: token_rsa_public_key: not a valid RSA public key");
        assertThatThrownBy(() -> load("{\"token_ecdsa_public_key\": " + quote(pem("RSA", null)) + "}"))
                .hasMessageStartingWith("config error: token_ecdsa_public_key: not a valid EC public key");
    }

    private static String pem(String algorithm, String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
        if (curve != null) {
            g.initialize(new ECGenParameterSpec(curve));
        } else {
            g.initialize(2048);
        }
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(g.generateKeyPair().getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String quote(String s) {
        return "\"" + s.replace("\n", "\\n") + "\"";
    }

    private RotorConfig load(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), json);
        return new ConfigLoader(file, Map.of(), Map.of(), () -> "h").load().config();
    }
}
