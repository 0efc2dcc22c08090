package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestClient;
import dev.rotor.node.TestNode;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Failures;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The entries of the Redis API queue (redis-engine.md §8) run through the same executor as the HTTP API: one object
 * per entry, only {@code publish}, {@code broadcast}, {@code unsubscribe} and {@code disconnect}, the deprecated
 * {@code {"data":[..]}} form, and no reply but a failed stage for the consumer to log. The queue itself (BLPOP, the
 * batch script) is the Redis engine's.
 */
class ApiQueueConsumerTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory).start();
    private final ApiCalls api = new ApiCalls(node);
    private final ApiQueueConsumer queue = new ApiQueueConsumer(api.executor());

    /** Handles one entry; null when it ran, else the message the consumer would log. */
    private String handle(String entry) {
        CompletableFuture<Void> f = queue.handle(entry.getBytes(StandardCharsets.UTF_8)).toCompletableFuture();
        assertThat(f).as("the entry was handled").isDone();
        return ApiCalls.done(f.handle((v, e) -> e == null ? null : Failures.cause(e).getMessage()));
    }

    private String history(String channel) {
        return api.run("{\"method\":\"history\",\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    @Test
    void aPublishEntryRunsWithItsUidAndClient() {
        assertThat(handle("{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":{\"event\":\"message\"},"
                + "\"uid\":\"q1\",\"client\":\"cl\"}}")).isNull();
        assertThat(history("events"))
                .contains("{\"uid\":\"q1\",\"channel\":\"events\",\"data\":{\"event\":\"message\"},\"client\":\"cl\"}");
    }

    @Test
    void otherMethodsAreIgnoredSilently() {
        assertThat(handle("{\"method\":\"presence\",\"params\":{\"channel\":\"\"}}")).isNull();
        assertThat(handle("{\"method\":\"channels\"}")).isNull();
        assertThat(handle("{\"method\":\"nope\",\"params\":1}")).isNull();
    }

    @Test
    void anArrayIsRefusedWithGosMessage() {
        assertThat(handle(" [{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":1}}]"))
                .isEqualTo("json: cannot unmarshal array into Go value of type proto.APICommand");
        assertThat(history("events")).contains("\"data\":[]");
    }

    @Test
    void theDeprecatedDataFormRunsEachCommandInOrder() {
        assertThat(handle("{\"data\":[{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":1,\"uid\":\"a\"}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":2,\"uid\":\"b\"}}]}")).isNull();
        assertThat(history("events")).contains("[{\"uid\":\"b\",\"channel\":\"events\",\"data\":2},"
                + "{\"uid\":\"a\",\"channel\":\"events\",\"data\":1}]");
    }

    @Test
    void theDeprecatedDataFormReadsAsATreeWould() {
        // the last data key counts; an element that is an array gives its first command
        assertThat(handle("{\"data\":[{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":1}}],"
                + "\"other\":{\"data\":[]},\"data\":[[{\"method\":\"publish\",\"params\":{\"channel\":\"events\","
                + "\"data\":2}},{\"method\":\"publish\",\"params\":{\"channel\":\"events\",\"data\":3}}]]}"))
                .isNull();
        assertThat(history("events")).contains("\"data\":2").doesNotContain("\"data\":1").doesNotContain("\"data\":3");
        assertThat(handle("{\"data\":{}}")).isEqualTo("method required");
        assertThat(handle("{\"data\":[1]}")).isEqualTo("invalid JSON: invalid message");
        assertThat(handle("{\"data\":[null]}")).isEqualTo("invalid JSON: invalid message");
        assertThat(handle("{\"data\":[[]]}")).isEqualTo("invalid JSON: invalid message");
    }

    @Test
    void aLargeDeprecatedDataFormIsReadWithoutATreeOfIt() {
        // whoever writes to the queue can send http_max_body_size of tiny elements; a tree of them cost ~30 times that
        int elements = 1_000_000;
        StringBuilder entry = new StringBuilder("{\"data\":[");
        for (int i = 0; i < elements; i++) {
            entry.append(i == 0 ? "" : ",").append("{}");
        }
        byte[] bytes = entry.append("]}").toString().getBytes(StandardCharsets.UTF_8);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        handle("{\"data\":[{}]}"); // the classes loaded, the code run once
        long before = threads.getCurrentThreadAllocatedBytes();
        CompletableFuture<Void> f = queue.handle(bytes).toCompletableFuture();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(f).isCompleted();
        assertThat(allocated).as("bytes allocated while reading a %d-byte entry", bytes.length)
                .isLessThan(12L * bytes.length);
    }

    @Test
    void malformedEntriesFailWithoutEffect() {
        assertThat(handle("{\"method\":")).startsWith("invalid JSON");
        assertThat(handle("{\"params\":{}}")).isEqualTo("method required");
        assertThat(handle("{\"method\":\"publish\",\"params\":{\"channel\":\"events\"}}")).isNotNull();
        assertThat(history("events")).contains("\"data\":[]");
    }

    @Test
    void aBroadcastStopsAtTheFirstUnknownNamespaceKeepingEarlierChannels() {
        assertThat(handle("{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"zz:b\",\"c\"],\"data\":1}}"))
                .isEqualTo("broadcast: namespace not found");
        assertThat(history("a")).contains("\"data\":1");
        assertThat(history("c")).contains("\"data\":[]");
    }

    @Test
    void unsubscribeAndDisconnectEntriesActOnTheUsersConnections() {
        TestClient bob = node.subscribedClient("bob", "a");
        assertThat(handle("{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"a\",\"user\":\"bob\"}}")).isNull();
        assertThat(bob.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"a\",\"status\":true}}");
        assertThat(handle("{\"method\":\"disconnect\",\"params\":{\"user\":\"bob\"}}")).isNull();
        assertThat(bob.closedWith()).isEqualTo(Disconnect.DISCONNECT);
    }
}
