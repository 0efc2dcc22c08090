package dev.rotor.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class AdminTokensTest {
    private static final long NOW = 1_795_353_933L;

    @Test
    void valueIsTheGobEncodingOfAuthorized() {
        byte[] gob = {0x0D, 0x0C, 0x00, 0x0A, 'a', 'u', 't', 'h', 'o', 'r', 'i', 'z', 'e', 'd'};
        assertThat(AdminTokens.VALUE).isEqualTo(Base64.getUrlEncoder().encodeToString(gob));
    }

    @Test
    void issuedTokenHasTheSecurecookieLayoutAndVerifies() {
        String token = AdminTokens.issue("admin-secret", NOW);
        String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.ISO_8859_1);
        assertThat(decoded).startsWith(NOW + "|" + AdminTokens.VALUE + "|");
        assertThat(decoded.length()).isEqualTo((NOW + "|" + AdminTokens.VALUE + "|").length() + 32);
        assertThat(AdminTokens.verify("admin-secret", token, NOW)).isTrue();
    }

    @Test
    void wrongSecretTamperingAgeAndGarbageAreRejected() {
        String token = AdminTokens.issue("admin-secret", NOW);
        assertThat(AdminTokens.verify("other", token, NOW)).isFalse();
        assertThat(AdminTokens.verify("", token, NOW)).isFalse();
        assertThat(AdminTokens.verify("admin-secret", token, NOW + 31L * 24 * 3600)).isFalse();
        assertThat(AdminTokens.verify("admin-secret", token, NOW - 3600)).as("future tokens are accepted").isTrue();
        assertThat(AdminTokens.verify("admin-secret", "not base64!", NOW)).isFalse();
        assertThat(AdminTokens.verify("admin-secret", "", NOW)).isFalse();
        byte[] raw = Base64.getUrlDecoder().decode(token);
        raw[2] ^= 1;
        assertThat(AdminTokens.verify("admin-secret", Base64.getUrlEncoder().encodeToString(raw), NOW)).isFalse();
    }
}
