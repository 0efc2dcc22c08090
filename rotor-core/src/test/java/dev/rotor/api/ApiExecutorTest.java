package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestNode;
import dev.rotor.protocol.ProtocolError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ApiExecutor} on a real node with the memory engine: the per-command refusal of ill-formed text, and runs of
 * publishes started together that keep v1's sequential results.
 */
class ApiExecutorTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory).start();
    private final ApiCalls api = new ApiCalls(node);

    @Test
    void illFormedTextIsInvalidMessageForItsCommandOnlyAndTheOthersRun() {
        String reply = api.run("["
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news?\",\"data\":1}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news\\ud800\",\"data\":2}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"news?\",\"\\udc00\"],\"data\":3}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"news\\ud800\"}},"
                + "{\"method\":\"history\",\"params\":{\"channel\":\"news\\ud800\"}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"user\":\"\\ud800\"}},"
                + "{\"method\":\"disconnect\",\"params\":{\"user\":\"\\ud800\"}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news?\",\"data\":4,\"client\":\"\\ud800\"}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news?\",\"data\":5}}"
                + "]");

        String invalid = "\"error\":\"invalid message\",\"advice\":\"fix\"";
        assertThat(reply).isEqualTo("["
                + "{\"method\":\"publish\",\"error\":null,\"body\":null},"
                + "{\"method\":\"publish\"," + invalid + ",\"body\":null},"
                + "{\"method\":\"broadcast\"," + invalid + ",\"body\":null},"
                + "{\"method\":\"presence\"," + invalid + ",\"body\":{\"channel\":\"\",\"data\":null}},"
                + "{\"method\":\"history\"," + invalid + ",\"body\":{\"channel\":\"\",\"data\":null}},"
                + "{\"method\":\"unsubscribe\"," + invalid + ",\"body\":null},"
                + "{\"method\":\"disconnect\"," + invalid + ",\"body\":null},"
                + "{\"method\":\"publish\"," + invalid + ",\"body\":null},"
                + "{\"method\":\"publish\",\"error\":null,\"body\":null}]");
        // only the two well-formed publishes reached the look-alike channel; the broadcast published nothing
        assertThat(api.run("{\"method\":\"history\",\"params\":{\"channel\":\"news?\"}}"))
                .contains("\"data\":5").contains("\"data\":1").doesNotContain("\"data\":2").doesNotContain("\"data\":3")
                .doesNotContain("\"data\":4");
    }

    @Test
    void aRunOfPublishesKeepsRequestOrderPerChannelAndCommandsAfterItSeeIt() {
        StringBuilder payload = new StringBuilder("[");
        for (int i = 1; i <= 6; i++) {
            payload.append("{\"method\":\"publish\",\"params\":{\"channel\":\"").append(i % 2 == 0 ? "even" : "odd")
                    .append("\",\"data\":").append(i).append("}},");
        }
        payload.append("{\"method\":\"history\",\"params\":{\"channel\":\"even\"}}]");

        String reply = api.run(payload.toString());

        assertThat(reply).startsWith("[" + "{\"method\":\"publish\",\"error\":null,\"body\":null},".repeat(6));
        // history is newest first: the run's publishes of "even" in reverse request order
        assertThat(reply.indexOf("\"data\":6")).isLessThan(reply.indexOf("\"data\":4"));
        assertThat(reply.indexOf("\"data\":4")).isLessThan(reply.indexOf("\"data\":2")).isPositive();
    }

    @Test
    void aRequestLevelErrorInARunStopsThereAfterThePublishesBeforeIt() {
        ProtocolError error = api.refused("["
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"\",\"data\":2}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":3}}]");

        assertThat(error).isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.run("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}"))
                .contains("\"data\":1").doesNotContain("\"data\":3");
    }
}
