package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.JwtKeys;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.WsTestClient;
import java.security.KeyPair;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Beyond v1: JWT connection and channel tokens over the raw WebSocket (rubycent-wire.md, "JWTs from
 * Cent::Notary"), side by side with v1's hex tokens, which keep working unchanged.
 */
class JwtIT extends ProtocolSupport {
    private static final Pattern CLIENT = Pattern.compile("\"client\":\"([0-9a-f-]{36})\"");
    private static final Pattern TTL = Pattern.compile("\"ttl\":(\\d+)");

    private static ChannelOptions.Builder presence() {
        return ChannelOptions.builder().presence(true);
    }

    private static String connectFrame(String token) {
        return "{\"uid\":\"c\",\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\"}}";
    }

    private static String connectReply(String client, boolean expires, boolean expired, long ttl) {
        return "{\"uid\":\"c\",\"method\":\"connect\",\"body\":{\"version\":\"1.8.0\",\"client\":\"" + client
                + "\",\"expires\":" + expires + ",\"expired\":" + expired + ",\"ttl\":" + ttl + "}}";
    }

    private static String call(WsTestClient c, String frame) throws InterruptedException {
        c.send(frame);
        return c.awaitFrame(WAIT);
    }

    private Client connectJwt(String token) throws Exception {
        WsTestClient c = open();
        String reply = call(c, connectFrame(token));
        Matcher m = CLIENT.matcher(reply);
        assertThat(m.find()).as("connect reply %s", reply).isTrue();
        assertThat(reply).isEqualTo(connectReply(m.group(1), false, false, 0));
        return new Client(c, m.group(1));
    }

    @Test
    void notaryConnectionTokenAuthenticatesItsSubWithItsInfo() throws Exception {
        start(config().topLevel(presence().build()));
        Client c = connectJwt(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"info\":{\"scope\":\"admin\"}}"));
        c.call(subscribe("s", "chat"));
        assertThat(c.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"chat\"}}"))
                .isEqualTo("{\"uid\":\"p\",\"method\":\"presence\",\"body\":{\"channel\":\"chat\",\"data\":{\""
                        + c.id() + "\":{\"user\":\"42\",\"client\":\"" + c.id()
                        + "\",\"default_info\":{\"scope\":\"admin\"}}}}}");
    }

    @Test
    void v1HexTokensStillWorkNextToJwts() throws Exception {
        start(config());
        Client v1 = connect("7");
        Client jwt = connectJwt(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"8\"}"));
        assertThat(v1.id()).isNotEqualTo(jwt.id());
        assertThat(v1.call("{\"uid\":\"p\",\"method\":\"ping\"}")).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
    }

    @Test
    void tokenHmacSecretKeyReplacesTheSecretForJwtsOnly() throws Exception {
        start(config().jwtKeys(new JwtKeys("jwt-only", null, null)));
        connectJwt(TestJwts.hs256("jwt-only", "{\"sub\":\"1\"}"));
        connect("2"); // hex tokens still use secret
        WsTestClient c = open();
        c.send(connectFrame(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"1\"}")));
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
    }

    @Test
    void rs256TokensNeedTheConfiguredPublicKey() throws Exception {
        KeyPair pair = TestJwts.rsaKeyPair();
        start(config().jwtKeys(new JwtKeys("", JwtKeys.rsaPublicKey(TestJwts.pem(pair.getPublic())), null)));
        connectJwt(TestJwts.rs256(pair.getPrivate(), "{\"sub\":\"42\"}"));
        KeyPair other = TestJwts.rsaKeyPair();
        WsTestClient c = open();
        c.send(connectFrame(TestJwts.rs256(other.getPrivate(), "{\"sub\":\"42\"}")));
        assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
    }

    @Test
    void badSignatureOrDisabledAlgorithmIsInvalidToken() throws Exception {
        start(config());
        for (String token : new String[] {TestJwts.hs256("wrong", "{\"sub\":\"42\"}"),
                TestJwts.rs256(TestJwts.rsaKeyPair().getPrivate(), "{\"sub\":\"42\"}"), "a.b.c"}) {
            WsTestClient c = open();
            c.send(connectFrame(token));
            assertThat(c.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));
        }
    }

    @Test
    void expWithoutConnectionLifetimeSetsExpiresAndTtl() throws Exception {
        start(config());
        WsTestClient c = open();
        long exp = TestJwts.now() + 3600;
        String reply = call(c, connectFrame(TestJwts.hs256(TestServer.SECRET,
                "{\"sub\":\"42\",\"exp\":" + exp + "}")));
        Matcher client = CLIENT.matcher(reply);
        Matcher ttl = TTL.matcher(reply);
        assertThat(client.find() && ttl.find()).as(reply).isTrue();
        // ttl counts down from exp; a slow machine may have crossed a second or two
        assertThat(Long.parseLong(ttl.group(1))).isBetween(3590L, 3600L);
        assertThat(reply).isEqualTo(connectReply(client.group(1), true, false, Long.parseLong(ttl.group(1))));
    }

    @Test
    void expiredJwtGetsV1sExpiredReplyAndMayConnectAgain() throws Exception {
        start(config().connectionLifetime(60));
        WsTestClient c = open();
        c.send(connectFrame(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"exp\":" + (TestJwts.now() - 5) + "}")));
        assertThat(c.awaitFrame(WAIT)).isEqualTo(connectReply("", true, true, 60));
        c.send("{\"uid\":\"p\",\"method\":\"ping\"}");
        assertThat(c.awaitClose(WAIT).reason()).isEqualTo(advice("unauthorized", false));

        WsTestClient again = open();
        String reply = call(again, connectFrame(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\"}")));
        assertThat(reply).contains("\"expires\":true,\"expired\":false,\"ttl\":60");
    }

    @Test
    void connectionClosesWhenItsJwtExpires() throws Exception {
        start(config().expiredConnectionCloseDelay(0));
        WsTestClient c = open();
        String reply = call(c, connectFrame(TestJwts.hs256(TestServer.SECRET,
                "{\"sub\":\"42\",\"exp\":" + (TestJwts.now() + 2) + "}")));
        assertThat(reply).contains("\"expires\":true,\"expired\":false");
        assertThat(c.awaitClose(Duration.ofSeconds(20))).isEqualTo(new WsTestClient.Close(3000, advice("expired", true)));
    }

    @Test
    void refreshWithALaterJwtKeepsTheConnectionOpen() throws Exception {
        start(config().expiredConnectionCloseDelay(0));
        WsTestClient c = open();
        call(c, connectFrame(TestJwts.hs256(TestServer.SECRET,
                "{\"sub\":\"42\",\"exp\":" + (TestJwts.now() + 2) + "}")));
        String refreshed = call(c, "{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"token\":\""
                + TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"exp\":" + (TestJwts.now() + 3600) + "}")
                + "\"}}");
        assertThat(refreshed).startsWith("{\"uid\":\"r\",\"method\":\"refresh\",\"body\":{").contains(
                "\"expires\":true,\"expired\":false,\"ttl\":");
        // well past the first token's expiry the connection still answers
        c.assertNoFrame(Duration.ofSeconds(4));
        assertThat(call(c, "{\"uid\":\"p\",\"method\":\"ping\"}")).isEqualTo("{\"uid\":\"p\",\"method\":\"ping\"}");
    }

    @Test
    void refreshJwtForAnotherUserIsInvalidToken() throws Exception {
        start(config());
        Client c = connectJwt(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\"}"));
        c.send("{\"uid\":\"r\",\"method\":\"refresh\",\"params\":{\"token\":\""
                + TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"43\"}") + "\"}}");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid token", false));
    }

    @Test
    void channelJwtInSignGrantsThePrivateChannelWithItsInfo() throws Exception {
        start(config().topLevel(presence().build()));
        Client c = connect("42");
        String sign = TestJwts.hs256(TestServer.SECRET, "{\"client\":\"" + c.id()
                + "\",\"channel\":\"$secret\",\"info\":{\"role\":\"mod\"},\"exp\":" + (TestJwts.now() + 600) + "}");
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"sign\":\""
                + sign + "\"}}")).isEqualTo(subscribeOk("s", "$secret"));
        assertThat(c.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"$secret\"}}"))
                .contains("\"channel_info\":{\"role\":\"mod\"}");
    }

    @Test
    void channelJwtForAnotherClientChannelOrExpiredIsPermissionDenied() throws Exception {
        start(config());
        Client c = connect("42");
        String[] signs = {
            TestJwts.hs256(TestServer.SECRET, "{\"client\":\"someone-else\",\"channel\":\"$secret\"}"),
            TestJwts.hs256(TestServer.SECRET, "{\"client\":\"" + c.id() + "\",\"channel\":\"$other\"}"),
            TestJwts.hs256(TestServer.SECRET, "{\"client\":\"" + c.id() + "\",\"channel\":\"$secret\",\"exp\":"
                    + (TestJwts.now() - 1) + "}"),
            TestJwts.hs256("wrong", "{\"client\":\"" + c.id() + "\",\"channel\":\"$secret\"}"),
        };
        for (String sign : signs) {
            assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                    + "\"sign\":\"" + sign + "\"}}")).isEqualTo(subscribeError("s", "$secret", "permission denied"));
        }
        // a client param, as the v1 JavaScript client sends it, must name this connection too
        String good = TestJwts.hs256(TestServer.SECRET, "{\"client\":\"" + c.id() + "\",\"channel\":\"$secret\"}");
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                + "\"client\":\"x\",\"sign\":\"" + good + "\"}}")).isEqualTo(subscribeError("s", "$secret",
                "permission denied"));
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                + "\"client\":\"" + c.id() + "\",\"sign\":\"" + good + "\"}}")).isEqualTo(subscribeOk("s", "$secret"));
    }

    @Test
    void aJwtWithAnExpOfZeroOrBelowIsExpiredNotEternal() throws Exception {
        start(config());
        for (String exp : new String[] {"0", "-1"}) {
            WsTestClient c = open();
            String reply = call(c, connectFrame(TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"exp\":" + exp + "}")));
            assertThat(reply).as("exp %s", exp).isEqualTo(connectReply("", true, true, 0));
        }
    }

    @Test
    void aChannelTokenIsRefusedAtConnectAndAConnectionTokenForAPrivateChannel() throws Exception {
        start(config());
        Client c = connect("42");
        String channelToken = TestJwts.hs256(TestServer.SECRET, "{\"client\":\"" + c.id() + "\",\"channel\":\"$secret\"}");
        WsTestClient replay = open();
        replay.send(connectFrame(channelToken));
        assertThat(replay.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));

        // a token carrying both kinds of claims is neither: refused as a sign, and at connect
        String both = TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\",\"client\":\"" + c.id()
                + "\",\"channel\":\"$secret\"}");
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                + "\"sign\":\"" + both + "\"}}")).isEqualTo(subscribeError("s", "$secret", "permission denied"));
        WsTestClient ambiguous = open();
        ambiguous.send(connectFrame(both));
        assertThat(ambiguous.awaitClose(WAIT)).isEqualTo(new WsTestClient.Close(3000, advice("invalid token", false)));

        String connectionToken = TestJwts.hs256(TestServer.SECRET, "{\"sub\":\"42\"}");
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                + "\"sign\":\"" + connectionToken + "\"}}")).isEqualTo(subscribeError("s", "$secret", "permission denied"));
        assertThat(c.call("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\","
                + "\"sign\":\"" + channelToken + "\"}}")).isEqualTo(subscribeOk("s", "$secret"));
    }
}
