package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestNode;
import dev.rotor.protocol.ControlMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API {@code publish} and {@code broadcast} commands (http-api.md §4.1, §4.2) on the memory engine, with
 * publishing to chosen channels failing as a Redis engine's does when Redis is unreachable.
 */
class ApiPublishTest {
    private static final String DOWN = FailingEngine.DOWN;
    private static final Pattern UID = Pattern.compile("\"uid\":\"([0-9A-Za-z]{22})\"");

    /** The engine under the node; tests make it fail between commands. */
    private FailingEngine engine;
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            // client-side options all off: the API ignores them
            .namespace("closed", o -> o.historySize(5).historyLifetime(60))
            .namespace("watched", o -> o.watch(true))
            .engine(memory -> engine = new FailingEngine(memory)).start();
    private final ApiCalls api = new ApiCalls(node);

    private String history(String channel) {
        return api.run("{\"method\":\"history\",\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    private static String onlyUid(String history) {
        Matcher m = UID.matcher(history);
        assertThat(m.find()).as(history).isTrue();
        String uid = m.group(1);
        assertThat(m.find()).as("one message in %s", history).isFalse();
        return uid;
    }

    @Test
    void publishEchoesTheCommandUidAndHistoryKeepsTheGivenUidAndClient() {
        assertThat(api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"z\": 1},\"uid\":\"myuid\","
                + "\"client\":\"cl\"},\"uid\":\"x1\"}"))
                .isEqualTo("[{\"uid\":\"x1\",\"method\":\"publish\",\"error\":null,\"body\":null}]");
        assertThat(history("news")).isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":\"news\","
                + "\"data\":[{\"uid\":\"myuid\",\"channel\":\"news\",\"data\":{\"z\":1},\"client\":\"cl\"}]}}]");
    }

    @Test
    void publishWithoutUidOrClientGetsAFreshBase62UidAndNoClientField() {
        api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":[1,\"two\",null]}}");
        String history = history("news");
        assertThat(history).matches("\\[\\{\"method\":\"history\",\"error\":null,\"body\":\\{\"channel\":\"news\","
                + "\"data\":\\[\\{\"uid\":\"[0-9A-Za-z]{22}\",\"channel\":\"news\",\"data\":\\[1,\"two\",null]}]}}]");
    }

    @Test
    void publishToAnUnknownNamespaceIsNamespaceNotFoundWithFix() {
        assertThat(api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"zz:a\",\"data\":1}}"))
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"namespace not found\",\"advice\":\"fix\",\"body\":null}]");
    }

    @Test
    void publishNeedsNoSubscriberAndChecksNoClientSideOption() {
        // "closed" has publish and anonymous off; private and user-limited names are the client's business too
        assertThat(api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"closed:a\",\"data\":1}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"closed:$private\",\"data\":2}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"closed:b#42\",\"data\":3}}]"))
                .isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null},"
                        + "{\"method\":\"publish\",\"error\":null,\"body\":null},"
                        + "{\"method\":\"publish\",\"error\":null,\"body\":null}]");
        assertThat(history("closed:a")).contains("\"data\":1");
        assertThat(history("closed:$private")).contains("\"data\":2");
        assertThat(history("closed:b#42")).contains("\"data\":3");
    }

    @Test
    void publishToAWatchedChannelAlsoGoesToAdminWatchers() {
        List<ControlMessage> watched = new CopyOnWriteArrayList<>();
        node.node().addAdminListener(watched::add);
        api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"watched:a\",\"data\":{\"w\":1},\"uid\":\"m1\"}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1}}]");
        assertThat(watched).hasSize(1);
        assertThat(watched.get(0).method()).isEqualTo("message");
        assertThat(new String(watched.get(0).params().bytes(), StandardCharsets.UTF_8))
                .isEqualTo("{\"uid\":\"m1\",\"channel\":\"watched:a\",\"data\":{\"w\":1}}");
    }

    @Test
    void aFailedPublishReportsTheEngineTextWithoutAdvice() {
        engine.failPublishTo("news");
        assertThat(api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1}}"))
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"" + DOWN + " (news)\",\"body\":null}]");
    }

    @Test
    void broadcastPublishesToEveryChannelWithItsOwnUidAndTheClient() {
        assertThat(api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"closed:b\"],\"client\":\"cl\","
                + "\"data\":{\"k\":1},\"uid\":\"ignored\"}}"))
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":null,\"body\":null}]");
        String a = history("a");
        String b = history("closed:b");
        assertThat(a).contains("\"channel\":\"a\",\"data\":{\"k\":1},\"client\":\"cl\"}");
        assertThat(b).contains("\"channel\":\"closed:b\",\"data\":{\"k\":1},\"client\":\"cl\"}");
        assertThat(onlyUid(a)).isNotEqualTo(onlyUid(b)).isNotEqualTo("ignored");
    }

    @Test
    void broadcastWithoutChannelsOrDataIsInvalidMessageWithFix() {
        String invalid = "{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null}";
        assertThat(api.run("[{\"method\":\"broadcast\",\"params\":{\"channels\":[],\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":null,\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\"]}}]"))
                .isEqualTo("[" + invalid + "," + invalid + "," + invalid + "," + invalid + "]");
        assertThat(history("a")).contains("\"data\":[]");
    }

    @Test
    void broadcastStopsAtTheFirstUnknownNamespaceKeepingEarlierChannels() {
        assertThat(api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"zz:b\",\"c\"],\"data\":{\"k\":1}}}"))
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":\"namespace not found\",\"advice\":\"fix\",\"body\":null}]");
        assertThat(history("a")).contains("{\"k\":1}");
        assertThat(history("c")).contains("\"data\":[]");
    }

    @Test
    void broadcastStopsAtTheFirstEmptyNameKeepingEarlierChannels() {
        assertThat(api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"\",\"c\"],\"data\":1}}"))
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null}]");
        assertThat(history("a")).contains("\"data\":1");
        assertThat(history("c")).contains("\"data\":[]");
    }

    @Test
    void aFailedBroadcastPublishDoesNotStopTheOthersAndReportsTheFirstFailureWithoutAdvice() {
        engine.failPublishTo("b");
        engine.failPublishTo("c");
        assertThat(api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"b\",\"c\",\"d\"],\"data\":1}}"))
                .isEqualTo("[{\"method\":\"broadcast\",\"error\":\"" + DOWN + " (b)\",\"body\":null}]");
        assertThat(history("a")).contains("\"data\":1");
        assertThat(history("d")).contains("\"data\":1");
    }
}
