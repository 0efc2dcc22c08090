package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.presence;
import static dev.rotor.node.Frames.subscribeOk;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.rotor.auth.JwtKeys;
import dev.rotor.protocol.Disconnect;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Which token a session accepts where (client-protocol.md §4 and, beyond v1, JWTs at connect, refresh and as a
 * private channel sign), and names that are not well-formed text (docs/security.md, "Tokens" and "Unicode").
 */
class ClientTokensTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(o -> o.presence(true)).start();

    private static String jwt(String claims) {
        return jwt(TestNode.SECRET, claims);
    }

    private static String jwt(String secret, String claims) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims));
            jws.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
            return jws.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    private static String connect(String token) {
        return "{\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\"}}";
    }

    private static String refresh(String token) {
        return "{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"token\":\"" + token + "\"}}";
    }

    private long now() {
        return node.nowSeconds();
    }

    @Test
    void aConnectionJwtAuthenticatesItsSubWithItsInfo() {
        TestClient c = node.client();
        assertThat(c.call(connect(jwt("{\"sub\":\"42\",\"info\":{\"scope\":\"admin\"}}"))))
                .isEqualTo(Frames.connectReply("", "connect", c.clientId(), false, false, 0));
        c.subscribe("chat");
        assertThat(c.call(presence("p", "chat"))).contains(json("{'user':'42','client':'" + c.clientId()
                + "','default_info':{'scope':'admin'}}"));
    }

    @Test
    void aChannelTokenOrAnAmbiguousOneIsRefusedAtConnect() {
        assertThat(node.client().closedBy(connect(jwt("{\"client\":\"c-1\",\"channel\":\"$secret\"}"))))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(node.client().closedBy(connect(jwt("{\"channel\":\"$secret\"}")))).isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(node.client().closedBy(connect(jwt("{\"sub\":\"42\",\"client\":\"c-1\"}"))))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(node.client().call(connect(jwt("{\"sub\":\"42\"}")))).contains("\"expired\":false");
    }

    @Test
    void aBadSignatureOrAnotherKeyIsInvalidToken() {
        assertThat(node.client().closedBy(connect(jwt("a-wrong-secret-of-at-least-thirty-two-bytes", "{\"sub\":\"42\"}"))))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(node.client().closedBy(connect("a.b.c"))).isEqualTo(Disconnect.INVALID_TOKEN);
    }

    @Test
    void tokenHmacSecretKeyReplacesTheSecretForJwtsOnly() {
        String jwtKey = "a-jwt-only-secret-of-at-least-32-bytes";
        node.reconfigure(b -> b.jwtKeys(new JwtKeys(jwtKey, null, null)));
        node.client().connect(connect(jwt(jwtKey, "{\"sub\":\"1\"}")));
        assertThat(node.client().closedBy(connect(jwt("{\"sub\":\"1\"}")))).isEqualTo(Disconnect.INVALID_TOKEN);
        node.connectedClient("v1 token");
    }

    @Test
    void anExpWithoutConnectionLifetimeSetsExpiresAndTtl() {
        TestClient c = node.client();
        assertThat(c.call(connect(jwt("{\"sub\":\"42\",\"exp\":" + (now() + 3600) + "}"))))
                .isEqualTo(Frames.connectReply("", "connect", c.clientId(), true, false, 3600));
    }

    @Test
    void anExpiredJwtGetsV1sExpiredReplyAndTheClientMayConnectAgain() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.client();
        assertThat(c.call(connect(jwt("{\"sub\":\"42\",\"exp\":" + (now() - 5) + "}"))))
                .isEqualTo(Frames.connectReply("", "connect", "", true, true, 60));
        assertThat(c.call(connect(jwt("{\"sub\":\"42\"}"))))
                .isEqualTo(Frames.connectReply("", "connect", c.clientId(), true, false, 60));
    }

    @Test
    void anExpOfZeroOrBelowIsExpired() {
        for (String exp : new String[] {"0", "-1", "-9223372036854775808"}) {
            assertThat(node.client().call(connect(jwt("{\"sub\":\"42\",\"exp\":" + exp + "}"))))
                    .as("exp %s", exp).contains("\"client\":\"\",\"expires\":true,\"expired\":true");
        }
    }

    @Test
    void aConnectionClosesWhenItsJwtExpiresPlusTheCloseDelay() {
        node.reconfigure(b -> b.expiredConnectionCloseDelay(1));
        TestClient c = node.client();
        c.connect(connect(jwt("{\"sub\":\"42\",\"exp\":" + (now() + 2) + "}")));
        node.advance(Duration.ofMillis(2999));
        assertThat(c.closedWith()).isNull();
        node.advance(Duration.ofMillis(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.EXPIRED);
    }

    @Test
    void aRefreshWithALaterJwtKeepsTheConnectionOpen() {
        node.reconfigure(b -> b.expiredConnectionCloseDelay(0));
        TestClient c = node.client();
        c.connect(connect(jwt("{\"sub\":\"42\",\"exp\":" + (now() + 2) + "}")));
        assertThat(c.call(refresh(jwt("{\"sub\":\"42\",\"exp\":" + (now() + 100) + "}"))))
                .isEqualTo(Frames.connectReply("r", "refresh", c.clientId(), true, false, 100));
        node.advance(Duration.ofSeconds(99));
        assertThat(c.closedWith()).isNull();
        node.advance(Duration.ofSeconds(1));
        assertThat(c.closedWith()).isEqualTo(Disconnect.EXPIRED);
    }

    @Test
    void aRefreshWithAnExpiredJwtReportsExpired() {
        node.reconfigure(b -> b.connectionLifetime(60));
        TestClient c = node.client();
        c.connect(connect(jwt("{\"sub\":\"42\"}")));
        assertThat(c.call(refresh(jwt("{\"sub\":\"42\",\"exp\":" + (now() - 1) + "}"))))
                .isEqualTo(Frames.connectReply("r", "refresh", c.clientId(), true, true, 60));
    }

    @Test
    void aRefreshJwtForAnotherUserIsInvalidToken() {
        TestClient c = node.client();
        c.connect(connect(jwt("{\"sub\":\"42\"}")));
        assertThat(c.closedBy(refresh(jwt("{\"sub\":\"43\"}")))).isEqualTo(Disconnect.INVALID_TOKEN);
    }

    @Test
    void aChannelJwtInSignGrantsThePrivateChannelWithItsInfo() {
        TestClient c = node.connectedClient("u");
        String sign = jwt("{\"client\":\"" + c.clientId() + "\",\"channel\":\"$secret\",\"info\":{\"role\":\"mod\"},"
                + "\"exp\":" + (now() + 600) + "}");
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"sign\":\""
                + sign + "\"}}")).isEqualTo(subscribeOk("s", "$secret"));
        assertThat(c.call(presence("p", "$secret"))).contains(json("'channel_info':{'role':'mod'}"));
    }

    @Test
    void aChannelJwtForAnotherClientOrChannelOrExpiredIsPermissionDenied() {
        TestClient c = node.connectedClient("u");
        String subscribe = "{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"sign\":\"%s\"}}";
        for (String claims : new String[] {"{\"client\":\"someone-else\",\"channel\":\"$secret\"}",
                "{\"client\":\"" + c.clientId() + "\",\"channel\":\"$other\"}",
                "{\"client\":\"" + c.clientId() + "\",\"channel\":\"$secret\",\"exp\":" + (now() - 1) + "}"}) {
            assertThat(c.call(subscribe.formatted(jwt(claims)))).as(claims)
                    .isEqualTo(Frames.subscribeError("s", "$secret", "permission denied"));
        }
    }

    @Test
    void aConnectionTokenIsRefusedAsAPrivateChannelSign() {
        TestClient c = node.client();
        c.connect(connect(jwt("{\"sub\":\"42\"}")));
        String subscribe = "{\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"sign\":\"%s\"}}";
        assertThat(c.call(subscribe.formatted(jwt("{\"sub\":\"42\"}")))).contains("\"error\":\"permission denied\"");
        assertThat(c.call(subscribe.formatted(jwt("{\"sub\":\"42\",\"client\":\"" + c.clientId()
                + "\",\"channel\":\"$secret\"}")))).contains("\"error\":\"permission denied\"");
        assertThat(c.call(subscribe.formatted(jwt("{\"client\":\"" + c.clientId() + "\",\"channel\":\"$secret\"}"))))
                .contains("\"status\":true");
    }

    @Test
    void aLoneSurrogateInAnyNameClosesWithInvalidMessage() {
        TestClient c = node.connectedClient("42");
        assertThat(c.closedBy("{\"method\":\"subscribe\",\"params\":{\"channel\":\"pub:\\ud800\"}}"))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
        assertThat(TestNode.await(node.memory().broker().channels())).isEmpty();
        assertThat(node.client().closedBy("{\"method\":\"connect\",\"params\":{\"user\":\"\\udc00\",\"token\":\"x\"}}"))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
    }
}
