package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestClient;
import dev.rotor.node.TestNode;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What subscribers receive from the API {@code publish} and {@code broadcast} commands (http-api.md §4.1, §4.2,
 * client-protocol.md §6.2): the message push with the data verbatim, the {@code client} field, a uid per channel,
 * and the order of a batch.
 */
class ApiDeliveryTest {
    private static final String PUSH = "\\{\"method\":\"message\",\"body\":\\{\"uid\":\"([0-9A-Za-z]{22})\",%s"
            + "\"channel\":\"%s\",\"data\":%s}}";

    @RegisterExtension
    final TestNode node = TestNode.builder().namespace("ro", o -> { }).start();
    private final ApiCalls api = new ApiCalls(node);

    /** The uid of a message push, failing unless the push is exactly {@link #PUSH} for these values. */
    private static String pushUid(String push, String client, String channel, String data) {
        String clientField = client == null ? "" : "\"client\":\"" + client + "\",";
        Matcher m = Pattern.compile(String.format(PUSH, clientField, Pattern.quote(channel), Pattern.quote(data)))
                .matcher(push);
        assertThat(m.matches()).as(push).isTrue();
        return m.group(1);
    }

    @Test
    void publishReachesEverySubscriberWithTheDataVerbatim() {
        TestClient a = node.subscribedClient("a", "news");
        TestClient b = node.subscribedClient("b", "news");
        TestClient other = node.subscribedClient("c", "sports");
        api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"k\": [1, 2.50]},\"uid\":\"m1\"}}");
        String push = "{\"method\":\"message\",\"body\":{\"uid\":\"m1\",\"channel\":\"news\",\"data\":{\"k\": [1, 2.50]}}}";
        assertThat(a.next()).isEqualTo(push);
        assertThat(b.next()).isEqualTo(push);
        other.assertNoFrame();
    }

    @Test
    void publishWithAClientCarriesItAsTheTopLevelClientField() {
        TestClient c = node.subscribedClient("a", "news");
        api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\"hi\",\"client\":\"cl\"}}");
        pushUid(c.next(), "cl", "news", "\"hi\"");
    }

    @Test
    void publishReachesSubscribersOfAChannelWhoseClientSideOptionsAreOff() {
        TestClient c = node.subscribedClient("u", "ro:x");
        api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"ro:x\",\"data\":\"hi\"}}");
        pushUid(c.next(), null, "ro:x", "\"hi\"");
    }

    @Test
    void broadcastDeliversInChannelOrderEachMessageWithItsOwnUidAndTheClient() {
        TestClient c = node.subscribedClient("u", "a");
        c.subscribe("ro:b");
        api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"ro:b\"],\"client\":\"cl\",\"data\":{\"k\": 1}}}");
        String first = pushUid(c.next(), "cl", "a", "{\"k\": 1}");
        String second = pushUid(c.next(), "cl", "ro:b", "{\"k\": 1}");
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void subscribersSeeABatchInBatchOrder() {
        TestClient c = node.subscribedClient("go-user", "go");
        api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"go\",\"data\":{\"text\":\"batch1\"}}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"go\",\"client\":\"go-client\",\"data\":{\"text\":\"batch2\"}}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"go\",\"go2\"],\"data\":{\"text\":\"batch3\"}}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"go\"],\"client\":\"go-client\",\"data\":{\"text\":\"batch4\"}}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"go\",\"user\":\"go-user\"}}]");
        List<String> pushes = List.of(c.next(), c.next(), c.next(), c.next());
        pushUid(pushes.get(0), null, "go", "{\"text\":\"batch1\"}");
        pushUid(pushes.get(1), "go-client", "go", "{\"text\":\"batch2\"}");
        pushUid(pushes.get(2), null, "go", "{\"text\":\"batch3\"}");
        pushUid(pushes.get(3), "go-client", "go", "{\"text\":\"batch4\"}");
        assertThat(c.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"go\",\"status\":true}}");
    }

    @Test
    void aBroadcastStoppedByAnUnknownNamespaceHasDeliveredTheEarlierChannelsOnly() {
        TestClient c = node.subscribedClient("u", "a");
        c.subscribe("c");
        api.run("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"zz:b\",\"c\"],\"data\":1}}");
        pushUid(c.next(), null, "a", "1");
        c.assertNoFrame();
    }
}
