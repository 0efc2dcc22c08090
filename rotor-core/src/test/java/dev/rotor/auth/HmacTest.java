package dev.rotor.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Vectors from gocent v1.0.1, confirmed with openssl (shared/spec/gocent-wire.md). */
class HmacTest {

    @Test
    void apiSignMatchesGocentVectors() {
        String body = "[{\"uid\":\"u1\",\"method\":\"publish\",\"params\":{\"channel\":\"public:chat\",\"data\":{\"input\":\"test\"}}}]";
        assertThat(Hmac.apiSign("secret", body.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("787855b3446c13fc45ce71ec18f2d2042ee473e8ae377817a172c0f7bfe254ef");
        assertThat(Hmac.apiSign("secret", "[]".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("53364a07fcc563e712f42cfc9de1e28e1e2d39f236cee430f112203e557aea3f");
    }

    @Test
    void clientTokenMatchesGocentVectors() {
        assertThat(Hmac.clientToken("secret", "42", "1500000000", ""))
                .isEqualTo("0edb687d567dff2c3cae7b18513e77d3f305f9fcd0864edaf16324ae0ca0c73d");
        assertThat(Hmac.clientToken("secret", "42", "1500000000", "{\"name\":\"Alice\"}"))
                .isEqualTo("65506950e46a836f9fef728602a3bc47654e1c4b3e2f87ef4e2172d7bacd011e");
    }

    @Test
    void channelSignMatchesGocentVector() {
        assertThat(Hmac.channelSign("secret", "client-1", "$public:x", ""))
                .isEqualTo("f5dd8ff6f8f14b3abf29c5b2986d2f6a0e94c0292fdda25158856e218c7da250");
    }

    @Test
    void checksRejectUppercaseWrongLengthAndWrongSecret() {
        String token = Hmac.clientToken("secret", "42", "1500000000", "");
        assertThat(Hmac.checkClientToken("secret", "42", "1500000000", "", token)).isTrue();
        assertThat(Hmac.checkClientToken("secret", "42", "1500000000", "", token.toUpperCase())).isFalse();
        assertThat(Hmac.checkClientToken("secret", "42", "1500000000", "", token.substring(1))).isFalse();
        assertThat(Hmac.checkClientToken("other", "42", "1500000000", "", token)).isFalse();
        assertThat(Hmac.checkClientToken("secret", "42", "1500000000", "", null)).isFalse();
    }

    @Test
    void emptySecretIsALegalKey() {
        // HMAC-SHA256 with an empty key, as computed by openssl dgst -sha256 -hmac ""
        assertThat(Hmac.hex("", new byte[0]))
                .isEqualTo("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    }
}
