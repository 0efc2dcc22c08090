package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import org.junit.jupiter.api.Test;

/** subscribe / unsubscribe and every channel rule (client-protocol.md §5.3, §5.4, §6). */
class SubscriptionIT extends ProtocolSupport {

    @Test
    void subscribeGetsOwnJoinBeforeTheReply() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client c = connect("u1", "{\"name\": \"A\"}");
        c.send(subscribe("2", "news"));
        assertThat(c.next()).isEqualTo("{\"method\":\"join\",\"body\":{\"channel\":\"news\",\"data\":{\"default_info\":"
                + "{\"name\": \"A\"},\"user\":\"u1\",\"client\":\"" + c.id() + "\"}}}");
        assertThat(c.next()).isEqualTo(subscribeOk("2", "news"));
    }

    @Test
    void emptyChannelIsFatal() throws Exception {
        start(config());
        Client c = connect("u1");
        c.send(subscribe("1", ""));
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void channelLongerThanTheLimitIsLimitExceeded() throws Exception {
        start(config().maxChannelLength(5));
        Client c = connect("u1");
        assertThat(c.call(subscribe("1", "abcdef"))).isEqualTo(subscribeError("1", "abcdef", "limit exceeded"));
        assertThat(c.call(subscribe("2", "abcde"))).isEqualTo(subscribeOk("2", "abcde"));
    }

    @Test
    void channelLimitPrecedesTheDuplicateCheck() throws Exception {
        start(config().clientChannelLimit(1));
        Client c = connect("u1");
        assertThat(c.call(subscribe("1", "a"))).isEqualTo(subscribeOk("1", "a"));
        assertThat(c.call(subscribe("2", "b"))).isEqualTo(subscribeError("2", "b", "limit exceeded"));
        assertThat(c.call(subscribe("3", "a"))).isEqualTo(subscribeError("3", "a", "limit exceeded"));
    }

    @Test
    void duplicateSubscribeIsAlreadySubscribed() throws Exception {
        start(config());
        Client c = connect("u1");
        c.call(subscribe("1", "a"));
        assertThat(c.call(subscribe("2", "a"))).isEqualTo(subscribeError("2", "a", "already subscribed"));
    }

    @Test
    void userLimitedChannelsAdmitOnlyListedUsers() throws Exception {
        start(config());
        Client c = connect("42");
        assertThat(c.call(subscribe("1", "dialog#42,43"))).isEqualTo(subscribeOk("1", "dialog#42,43"));
        assertThat(c.call(subscribe("2", "dialog#41,43"))).isEqualTo(subscribeError("2", "dialog#41,43", "permission denied"));
    }

    @Test
    void clientLimitedChannelsAdmitOnlyThatClient() throws Exception {
        start(config());
        Client c = connect("u");
        assertThat(c.call(subscribe("1", "box&" + c.id()))).isEqualTo(subscribeOk("1", "box\\u0026" + c.id()));
        assertThat(c.call(subscribe("2", "box&other"))).isEqualTo(subscribeError("2", "box\\u0026other", "permission denied"));
    }

    @Test
    void unknownNamespaceIsNamespaceNotFound() throws Exception {
        start(config().namespace("public", ChannelOptions.builder().anonymous(true).build()));
        Client c = connect("u");
        assertThat(c.call(subscribe("1", "nope:x"))).isEqualTo(subscribeError("1", "nope:x", "namespace not found"));
        assertThat(c.call(subscribe("2", "public:x"))).isEqualTo(subscribeOk("2", "public:x"));
    }

    @Test
    void anonymousNeedsTheOptionUnlessInsecure() throws Exception {
        start(config().namespace("open", ChannelOptions.builder().anonymous(true).build()));
        Client c = connect("");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo(subscribeError("1", "news", "permission denied"));
        assertThat(c.call(subscribe("2", "open:news"))).isEqualTo(subscribeOk("2", "open:news"));
    }

    @Test
    void insecureModeAllowsAnonymousEverywhere() throws Exception {
        start(config().insecure(true));
        Client c = connect("");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo(subscribeOk("1", "news"));
    }

    @Test
    void privateChannelNeedsTheClientsSignAndStoresChannelInfo() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client c = connect("u1");
        String sign = Hmac.channelSign(TestServer.SECRET, c.id(), "$secret", "{\"room\":1}");
        c.send("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"client\":\"" + c.id()
                + "\",\"info\":\"{\\\"room\\\":1}\",\"sign\":\"" + sign + "\"}}");
        assertThat(c.next()).isEqualTo("{\"method\":\"join\",\"body\":{\"channel\":\"$secret\",\"data\":{\"channel_info\":"
                + "{\"room\":1},\"user\":\"u1\",\"client\":\"" + c.id() + "\"}}}");
        assertThat(c.next()).isEqualTo(subscribeOk("1", "$secret"));
    }

    @Test
    void privateChannelRejectsWrongClientOrSignEvenWhenInsecure() throws Exception {
        start(config().insecure(true));
        Client c = connect("u1");
        String sign = Hmac.channelSign(TestServer.SECRET, c.id(), "$p", "");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$p\",\"client\":\"other\",\"sign\":\""
                + sign + "\"}}")).isEqualTo(subscribeError("1", "$p", "permission denied"));
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$p\",\"client\":\"" + c.id()
                + "\",\"sign\":\"" + "a".repeat(64) + "\"}}")).isEqualTo(subscribeError("2", "$p", "permission denied"));
        assertThat(c.call("{\"uid\":\"3\",\"method\":\"subscribe\",\"params\":{\"channel\":\"$p\",\"client\":\"" + c.id()
                + "\",\"sign\":\"" + sign + "\"}}")).isEqualTo(subscribeOk("3", "$p"));
    }

    @Test
    void subscribeReportsTheLastMessageIdWithoutRecovering() throws Exception {
        start(config().topLevel(ChannelOptions.builder().recover(true).historySize(5).historyLifetime(60).build()));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1,\"uid\":\"m1\"}}");
        Client c = connect("u");
        assertThat(c.call(subscribe("1", "news"))).isEqualTo("{\"uid\":\"1\",\"method\":\"subscribe\",\"body\":{\"channel\":"
                + "\"news\",\"status\":true,\"last\":\"m1\",\"messages\":null,\"recovered\":false}}");
    }

    @Test
    void recoverReturnsMessagesNewerThanLast() throws Exception {
        start(config().topLevel(ChannelOptions.builder().recover(true).historySize(5).historyLifetime(60).build()));
        for (int i = 1; i <= 3; i++) {
            server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":" + i + ",\"uid\":\"m" + i + "\"}}");
        }
        Client c = connect("u");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"m1\"}}"))
                .isEqualTo("{\"uid\":\"1\",\"method\":\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[{\"uid\":\"m3\",\"channel\":\"news\",\"data\":3},{\"uid\":\"m2\",\"channel\":\"news\",\"data\":2}],"
                        + "\"recovered\":true}}");
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"other\",\"recover\":true,\"last\":\"zz\"}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"subscribe\",\"body\":{\"channel\":\"other\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[],\"recovered\":false}}");
    }

    @Test
    void recoverWithUnknownLastReturnsWholeHistoryNotRecovered() throws Exception {
        start(config().topLevel(ChannelOptions.builder().recover(true).historySize(5).historyLifetime(60).build()));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1,\"uid\":\"m1\"}}");
        Client c = connect("u");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"gone\"}}"))
                .contains("\"messages\":[{\"uid\":\"m1\",\"channel\":\"news\",\"data\":1}],\"recovered\":false");
    }

    @Test
    void recoverOptionOffIgnoresTheRequest() throws Exception {
        start(config().topLevel(ChannelOptions.builder().historySize(5).historyLifetime(60).build()));
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1,\"uid\":\"m1\"}}");
        Client c = connect("u");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"m1\"}}"))
                .isEqualTo(subscribeOk("1", "news"));
    }

    @Test
    void unsubscribeSendsOwnLeaveBeforeTheReply() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client c = connect("u1");
        c.send(subscribe("1", "news"));
        c.next();
        c.next();
        c.send("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"news\"}}");
        assertThat(c.next()).isEqualTo("{\"method\":\"leave\",\"body\":{\"channel\":\"news\",\"data\":{\"user\":\"u1\",\"client\":\""
                + c.id() + "\"}}}");
        assertThat(c.next()).isEqualTo("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"body\":{\"channel\":\"news\",\"status\":true}}");
    }

    @Test
    void unsubscribeWhenNotSubscribedStillSucceeds() throws Exception {
        start(config());
        Client c = connect("u1");
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"x\"}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"unsubscribe\",\"body\":{\"channel\":\"x\",\"status\":true}}");
        assertThat(c.call("{\"uid\":\"3\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"no:x\"}}"))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"unsubscribe\",\"error\":\"namespace not found\",\"advice\":\"fix\","
                        + "\"body\":{\"channel\":\"no:x\",\"status\":false}}");
        c.send("{\"uid\":\"4\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"\"}}");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("invalid message", false));
    }

    @Test
    void closingAConnectionSendsLeaveToOthersAndRemovesPresence() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).presence(true).build()));
        Client a = connect("a");
        Client b = connect("b");
        a.send(subscribe("1", "room"));
        a.next();
        a.next();
        b.send(subscribe("1", "room"));
        assertThat(a.next()).contains("\"method\":\"join\"").contains(b.id());
        b.next();
        b.next();
        b.ws().sendClose(1000, "");
        assertThat(a.next()).isEqualTo("{\"method\":\"leave\",\"body\":{\"channel\":\"room\",\"data\":{\"user\":\"b\",\"client\":\""
                + b.id() + "\"}}}");
        assertThat(a.call("{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"room\"}}")).doesNotContain(b.id());
    }

    @Test
    void apiUnsubscribePushesToEveryConnectionOfTheUser() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client subscribed = connect("bob");
        Client notSubscribed = connect("bob");
        subscribed.send(subscribe("1", "one"));
        subscribed.next();
        subscribed.next();
        server.api("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"one\",\"user\":\"bob\"}}");
        assertThat(subscribed.next()).contains("\"method\":\"leave\"");
        assertThat(subscribed.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"one\",\"status\":true}}");
        assertThat(notSubscribed.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"one\",\"status\":true}}");
        subscribed.send(subscribe("2", "one"));
        assertThat(subscribed.next()).contains("\"method\":\"join\"");
        assertThat(subscribed.next()).isEqualTo(subscribeOk("2", "one"));
    }

    @Test
    void apiUnsubscribeWithEmptyChannelLeavesEveryChannel() throws Exception {
        start(config());
        Client c = connect("bob");
        c.call(subscribe("1", "a"));
        c.call(subscribe("2", "b"));
        server.api("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"\",\"user\":\"bob\"}}");
        assertThat(java.util.List.of(c.next(), c.next())).containsExactlyInAnyOrder(
                "{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"a\",\"status\":true}}",
                "{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"b\",\"status\":true}}");
    }

    @Test
    void recoverFromTheNewestMessageIsAnEmptyRecoveryAndAnEmptyLastReturnsEverything() throws Exception {
        start(config().topLevel(ChannelOptions.builder().recover(true).historySize(5).historyLifetime(60).build()));
        for (int i = 1; i <= 2; i++) {
            server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":" + i + ",\"uid\":\"m" + i + "\"}}");
        }
        Client c = connect("u");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"m2\"}}"))
                .isEqualTo("{\"uid\":\"1\",\"method\":\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[],\"recovered\":true}}");
        assertThat(c.call("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"more\",\"recover\":true}}"))
                .isEqualTo("{\"uid\":\"2\",\"method\":\"subscribe\",\"body\":{\"channel\":\"more\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[],\"recovered\":false}}");
        Client d = connect("v");
        assertThat(d.call("{\"uid\":\"3\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"\"}}"))
                .isEqualTo("{\"uid\":\"3\",\"method\":\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[{\"uid\":\"m2\",\"channel\":\"news\",\"data\":2},{\"uid\":\"m1\",\"channel\":\"news\",\"data\":1}],"
                        + "\"recovered\":false}}");
    }

    @Test
    void recoverWithoutHistoryGivesAnEmptyUnrecoveredList() throws Exception {
        start(config().topLevel(ChannelOptions.builder().recover(true).build()));
        Client c = connect("u");
        assertThat(c.call("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"recover\":true,\"last\":\"x\"}}"))
                .isEqualTo("{\"uid\":\"1\",\"method\":\"subscribe\",\"body\":{\"channel\":\"news\",\"status\":true,\"last\":\"\","
                        + "\"messages\":[],\"recovered\":false}}");
    }

    @Test
    void publicChannelsIgnoreTheClientInfoAndSignParams() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client c = connect("u1");
        c.send("{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\",\"client\":\"someone\","
                + "\"info\":\"{\\\"x\\\":1}\",\"sign\":\"bad\"}}");
        assertThat(c.next()).isEqualTo("{\"method\":\"join\",\"body\":{\"channel\":\"news\",\"data\":{\"user\":\"u1\","
                + "\"client\":\"" + c.id() + "\"}}}");
        assertThat(c.next()).isEqualTo(subscribeOk("1", "news"));
    }

    @Test
    void insecureModeKeepsChannelLimitsAndNamespaceChecks() throws Exception {
        start(config().insecure(true).maxChannelLength(10).clientChannelLimit(1));
        Client c = connect("");
        assertThat(c.call(subscribe("1", "nope:x"))).isEqualTo(subscribeError("1", "nope:x", "namespace not found"));
        assertThat(c.call(subscribe("2", "a".repeat(11)))).isEqualTo(subscribeError("2", "a".repeat(11), "limit exceeded"));
        assertThat(c.call(subscribe("3", "a"))).isEqualTo(subscribeOk("3", "a"));
        assertThat(c.call(subscribe("4", "b"))).isEqualTo(subscribeError("4", "b", "limit exceeded"));
    }

    @Test
    void channelLengthIsCountedInUtf8Bytes() throws Exception {
        start(config().maxChannelLength(4));
        Client c = connect("u1");
        // two characters, four bytes: at the limit; one more byte is over it
        assertThat(c.call(subscribe("1", "\u00e9\u00e9"))).isEqualTo(subscribeOk("1", "\u00e9\u00e9"));
        assertThat(c.call(subscribe("2", "\u00e9\u00e9a"))).isEqualTo(subscribeError("2", "\u00e9\u00e9a", "limit exceeded"));
    }

    @Test
    void configuredBoundariesAndPrefixReplaceTheDefaults() throws Exception {
        start(config().naming(new dev.rotor.channel.ChannelNaming("!", "/", "@", ";", "~"))
                .namespace("ns", ChannelOptions.builder().build()));
        Client c = connect("42");
        assertThat(c.call(subscribe("1", "ns/a"))).isEqualTo(subscribeOk("1", "ns/a"));
        assertThat(c.call(subscribe("2", "zz/a"))).isEqualTo(subscribeError("2", "zz/a", "namespace not found"));
        assertThat(c.call(subscribe("3", "d@41;42"))).isEqualTo(subscribeOk("3", "d@41;42"));
        assertThat(c.call(subscribe("4", "d@41;43"))).isEqualTo(subscribeError("4", "d@41;43", "permission denied"));
        assertThat(c.call(subscribe("5", "box~other"))).isEqualTo(subscribeError("5", "box~other", "permission denied"));
        assertThat(c.call(subscribe("6", "!priv"))).isEqualTo(subscribeError("6", "!priv", "permission denied"));
        assertThat(c.call(subscribe("7", "$plain"))).isEqualTo(subscribeOk("7", "$plain"));
    }

    @Test
    void anApiDisconnectSendsLeaveToTheOthersAndTheUserMayComeBackAtOnce() throws Exception {
        start(config().topLevel(ChannelOptions.builder().joinLeave(true).build()));
        Client a = connect("a");
        Client b = connect("b");
        a.send(subscribe("1", "room"));
        a.next();
        a.next();
        b.send(subscribe("1", "room"));
        assertThat(a.next()).contains("\"method\":\"join\"").contains(b.id());
        server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"b\"}}");
        assertThat(a.next()).isEqualTo("{\"method\":\"leave\",\"body\":{\"channel\":\"room\",\"data\":{\"user\":\"b\",\"client\":\""
                + b.id() + "\"}}}");
        Client again = connect("b");
        assertThat(again.id()).isNotEqualTo(b.id());
    }
}
