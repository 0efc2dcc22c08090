package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API {@code presence}, {@code history} and {@code channels} commands (http-api.md §4.5–§4.7) without
 * subscribers: body shapes, errors (never with advice) and history order. What subscribers add is in
 * {@link ApiSubscribersTest}.
 */
class ApiQueryTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            .namespace("plain", o -> { })
            .namespace("nosize", o -> o.historySize(0).historyLifetime(60))
            .namespace("nolife", o -> o.historySize(5).historyLifetime(0)).start();
    private final ApiCalls api = new ApiCalls(node);

    private String query(String method, String channel) {
        return api.run("{\"method\":\"" + method + "\",\"params\":{\"channel\":\"" + channel + "\"}}");
    }

    private static String failed(String method, String channel, String error) {
        return "[{\"method\":\"" + method + "\",\"error\":\"" + error + "\",\"body\":{\"channel\":\"" + channel
                + "\",\"data\":null}}]";
    }

    @Test
    void presenceOfAChannelWithoutSubscribersIsAnEmptyObject() {
        assertThat(query("presence", "news"))
                .isEqualTo("[{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":{}}}]");
    }

    @Test
    void presenceErrorsKeepTheBodyWithNullDataAndCarryNoAdvice() {
        assertThat(query("presence", "")).isEqualTo(failed("presence", "", "invalid message"));
        assertThat(query("presence", "zz:a")).isEqualTo(failed("presence", "zz:a", "namespace not found"));
        assertThat(query("presence", "plain:a")).isEqualTo(failed("presence", "plain:a", "not available"));
    }

    @Test
    void theSpecsPresenceExampleOnANamespaceWithoutPresenceIsAnsweredExactly() {
        assertThat(query("presence", "plain:nope"))
                .isEqualTo("[{\"method\":\"presence\",\"error\":\"not available\",\"body\":{\"channel\":\"plain:nope\","
                        + "\"data\":null}}]");
    }

    @Test
    void historyOfAnEmptyChannelIsAnEmptyArray() {
        assertThat(query("history", "news"))
                .isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":[]}}]");
    }

    @Test
    void historyErrorsKeepTheBodyWithNullDataAndCarryNoAdvice() {
        assertThat(query("history", "")).isEqualTo(failed("history", "", "invalid message"));
        assertThat(query("history", "zz:a")).isEqualTo(failed("history", "zz:a", "namespace not found"));
        assertThat(query("history", "plain:a")).isEqualTo(failed("history", "plain:a", "not available"));
    }

    @Test
    void historyIsNotAvailableWhenItsSizeOrItsLifetimeIsZero() {
        api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"nosize:a\",\"data\":1}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"nolife:a\",\"data\":1}}]");
        assertThat(query("history", "nosize:a")).isEqualTo(failed("history", "nosize:a", "not available"));
        assertThat(query("history", "nolife:a")).isEqualTo(failed("history", "nolife:a", "not available"));
    }

    @Test
    void historyIsNewestFirstTruncatedToItsSizeInTheSerialisedRenderingWithoutTimestamp() {
        StringBuilder batch = new StringBuilder("[");
        for (int i = 1; i <= 7; i++) {
            batch.append(i == 1 ? "" : ",").append("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"n\": ")
                    .append(i).append("},\"uid\":\"m").append(i).append("\"").append(i == 7 ? ",\"client\":\"cl\"" : "")
                    .append("}}");
        }
        api.run(batch.append(']').toString());
        assertThat(query("history", "news")).isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":"
                + "\"news\",\"data\":[{\"uid\":\"m7\",\"channel\":\"news\",\"data\":{\"n\":7},\"client\":\"cl\"},"
                + "{\"uid\":\"m6\",\"channel\":\"news\",\"data\":{\"n\":6}},"
                + "{\"uid\":\"m5\",\"channel\":\"news\",\"data\":{\"n\":5}},"
                + "{\"uid\":\"m4\",\"channel\":\"news\",\"data\":{\"n\":4}},"
                + "{\"uid\":\"m3\",\"channel\":\"news\",\"data\":{\"n\":3}}]}}]");
    }

    @Test
    void channelsWithoutSubscribersIsAnEmptyListEvenWithHistory() {
        api.run("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1}}");
        assertThat(api.run("{\"method\":\"channels\"}"))
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
    }
}
