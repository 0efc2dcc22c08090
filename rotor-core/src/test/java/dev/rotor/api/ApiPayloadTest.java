package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestNode;
import dev.rotor.protocol.ProtocolError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API payload and reply (http-api.md §3 and the examples of §5) at the executor: one reply per command in
 * order, the reply's keys, and the failures that fail the whole request. The first-byte rule of §3.1 belongs to
 * the decoder ({@code CommandDecoderTest}); statuses and encodings are the HTTP handler's.
 */
class ApiPayloadTest {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory)
            .namespace("public", o -> o.publish(true)).start();
    private final ApiCalls api = new ApiCalls(node);

    @Test
    void aSingleCommandObjectStillGetsAnArray() {
        assertThat(api.run("{\"method\":\"channels\"}"))
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
    }

    @Test
    void anEmptyArrayIsAnsweredWithAnEmptyArray() {
        assertThat(api.run("[]")).isEqualTo("[]");
    }

    @Test
    void repliesFollowTheCommandsInOrderWithTheirKeysInV1Order() {
        assertThat(api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"zz:a\",\"data\":1},\"uid\":\"u1\"},"
                + "{\"uid\":\"\",\"method\":\"channels\"},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"a\",\"data\":1},\"uid\":\"u3\"}]"))
                .isEqualTo("[{\"uid\":\"u1\",\"method\":\"publish\",\"error\":\"namespace not found\",\"advice\":\"fix\","
                        + "\"body\":null},"
                        + "{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}},"
                        + "{\"uid\":\"u3\",\"method\":\"publish\",\"error\":null,\"body\":null}]");
    }

    @Test
    void theSpecsBatchExampleIsAnsweredExactly() {
        assertThat(api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"a\":1}},\"uid\":\"x1\"},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"news\"}}]"))
                .isEqualTo("[{\"uid\":\"x1\",\"method\":\"publish\",\"error\":null,\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":{}}}]");
    }

    @Test
    void anUnknownOrMissingMethodFailsTheWholeRequest() {
        assertThat(api.refused("{\"method\":\"foo\"}")).isEqualTo(ProtocolError.METHOD_NOT_FOUND);
        assertThat(api.refused("{}")).isEqualTo(ProtocolError.METHOD_NOT_FOUND);
        // client-only methods are not API methods
        assertThat(api.refused("{\"method\":\"connect\",\"params\":{}}")).isEqualTo(ProtocolError.METHOD_NOT_FOUND);
        assertThat(api.refused("{\"method\":\"ping\"}")).isEqualTo(ProtocolError.METHOD_NOT_FOUND);
    }

    @Test
    void aMethodThatNeedsParamsFailsTheWholeRequestWithoutThem() {
        for (String method : new String[] {"publish", "broadcast", "unsubscribe", "disconnect", "presence", "history"}) {
            assertThat(api.refused("{\"method\":\"" + method + "\"}")).as(method).isEqualTo(ProtocolError.INVALID_MESSAGE);
        }
    }

    @Test
    void paramsOfTheWrongShapeFailTheWholeRequest() {
        assertThat(api.refused("{\"method\":\"presence\",\"params\":\"news\"}")).isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"history\",\"params\":{\"channel\":1}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"broadcast\",\"params\":{\"channels\":\"a\",\"data\":1}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"broadcast\",\"params\":{\"channels\":[1],\"data\":1}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"unsubscribe\",\"params\":{\"user\":true}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"publish\",\"params\":{\"channel\":\"a\",\"data\":1,\"client\":2}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
    }

    @Test
    void paramsOfNullAreAnEmptyObjectAsInGo() {
        assertThat(api.run("{\"method\":\"presence\",\"params\":null}"))
                .isEqualTo("[{\"method\":\"presence\",\"error\":\"invalid message\",\"body\":{\"channel\":\"\",\"data\":null}}]");
    }

    @Test
    void aPublishWithAnEmptyChannelOrWithoutDataFailsTheWholeRequest() {
        assertThat(api.refused("{\"method\":\"publish\",\"params\":{\"channel\":\"\",\"data\":1}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"publish\",\"params\":{\"channel\":\"x\"}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
        assertThat(api.refused("{\"method\":\"publish\",\"params\":{\"data\":1}}"))
                .isEqualTo(ProtocolError.INVALID_MESSAGE);
    }

    @Test
    void channelsStatsAndNodeIgnoreTheirParams() {
        assertThat(api.run("{\"method\":\"channels\",\"params\":[1,\"x\"]}"))
                .isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
        assertThat(api.run("{\"method\":\"stats\",\"params\":\"x\"}")).startsWith("[{\"method\":\"stats\",\"error\":null,");
        assertThat(api.run("{\"method\":\"node\",\"params\":7}")).startsWith("[{\"method\":\"node\",\"error\":null,");
    }

    @Test
    void aRequestLevelFailureKeepsTheEffectsOfEarlierCommandsAndRunsNoLaterOne() {
        assertThat(api.refused("[{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":1,\"uid\":\"kept\"}},"
                + "{\"method\":\"foo\"},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":2,\"uid\":\"never\"}}]"))
                .isEqualTo(ProtocolError.METHOD_NOT_FOUND);
        assertThat(api.run("{\"method\":\"history\",\"params\":{\"channel\":\"news\"}}"))
                .isEqualTo("[{\"method\":\"history\",\"error\":null,\"body\":{\"channel\":\"news\",\"data\":["
                        + "{\"uid\":\"kept\",\"channel\":\"news\",\"data\":1}]}}]");
    }

    @Test
    void paramKeysMatchCaseInsensitivelyAndUnknownKeysAreIgnored() {
        assertThat(api.run("{\"METHOD\":\"publish\",\"Params\":{\"Channel\":\"news\",\"DATA\":1,\"Uid\":\"k\","
                + "\"extra\":{\"deep\":[1]}},\"UID\":\"c\",\"other\":1}"))
                .isEqualTo("[{\"uid\":\"c\",\"method\":\"publish\",\"error\":null,\"body\":null}]");
        assertThat(api.run("{\"method\":\"history\",\"params\":{\"CHANNEL\":\"news\"}}"))
                .contains("{\"uid\":\"k\",\"channel\":\"news\",\"data\":1}");
    }

    @Test
    void perCommandErrorsAreReportedInlineWithAdviceOnlyWhereV1GivesIt() {
        assertThat(api.run("[{\"method\":\"publish\",\"params\":{\"channel\":\"zz:a\",\"data\":1}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"public:a\"}},"
                + "{\"method\":\"history\",\"params\":{\"channel\":\"public:a\"}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"\"}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"x\",\"user\":\"\"}},"
                + "{\"method\":\"unsubscribe\",\"params\":{\"channel\":\"zz:x\",\"user\":\"u\"}},"
                + "{\"method\":\"disconnect\",\"params\":{\"user\":\"\"}}]"))
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"namespace not found\",\"advice\":\"fix\",\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":\"not available\",\"body\":{\"channel\":\"public:a\",\"data\":null}},"
                        + "{\"method\":\"history\",\"error\":\"not available\",\"body\":{\"channel\":\"public:a\",\"data\":null}},"
                        + "{\"method\":\"presence\",\"error\":\"invalid message\",\"body\":{\"channel\":\"\",\"data\":null}},"
                        + "{\"method\":\"unsubscribe\",\"error\":\"invalid message\",\"body\":null},"
                        + "{\"method\":\"unsubscribe\",\"error\":\"namespace not found\",\"body\":null},"
                        + "{\"method\":\"disconnect\",\"error\":\"invalid message\",\"body\":null}]");
    }
}
