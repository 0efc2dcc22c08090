package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.TestNode;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.ProtocolError;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The v2 rendering of {@link ApiExecutor} outcomes on a real node with the memory engine. */
class ApiV2Test {
    @RegisterExtension
    final TestNode node = TestNode.builder().topLevel(ApiCalls::presenceAndHistory).namespace("bare", o -> { })
            .start();
    private final ApiCalls api = new ApiCalls(node);

    private String run(String method, String params) {
        return api.v2(method, params);
    }

    @Test
    void commandsWithoutResultAnswerAnEmptyObject() {
        assertThat(run("publish", "{\"channel\":\"a\",\"data\":{\"x\":1}}")).isEqualTo("{}");
        assertThat(run("history", "{\"channel\":\"a\"}"))
                .matches("\\{\"result\":\\{\"publications\":\\[\\{\"data\":\\{\"x\":1\\},\"uid\":\"[^\"]+\"}]}}");
    }

    @Test
    void presenceStatsOfAnEmptyChannelIsZero() {
        assertThat(run("presence_stats", "{\"channel\":\"a\"}")).isEqualTo("{\"result\":{\"num_clients\":0,\"num_users\":0}}");
        assertThat(run("presence", "{\"channel\":\"a\"}")).isEqualTo("{\"result\":{\"presence\":{}}}");
    }

    @Test
    void missingParamsAndUnknownMethodsAreErrorObjects() {
        assertThat(run("presence", null)).isEqualTo("{\"error\":{\"code\":107,\"message\":\"bad request\"}}");
        assertThat(run("nope", "{}")).isEqualTo("{\"error\":{\"code\":104,\"message\":\"method not found\"}}");
    }

    @Test
    void publishBroadcastUnsubscribeAndDisconnectAnswerAnEmptyObject() {
        assertThat(run("publish", "{\"channel\":\"chat\",\"data\":\"hello\"}")).isEqualTo("{}");
        assertThat(run("broadcast", "{\"channels\":[\"chat\",\"b\"],\"data\":{\"text\":\"hi!\"}}")).isEqualTo("{}");
        assertThat(run("unsubscribe", "{\"channel\":\"chat\",\"user\":\"42\"}")).isEqualTo("{}");
        assertThat(run("disconnect", "{\"user\":\"42\"}")).isEqualTo("{}");
        assertThat(run("history", "{\"channel\":\"b\"}")).contains("\"data\":{\"text\":\"hi!\"}");
    }

    @Test
    void historyIsNewestFirstAndChannelsAreAList() {
        run("publish", "{\"channel\":\"chat\",\"data\":\"one\",\"uid\":\"u1\"}");
        run("publish", "{\"channel\":\"chat\",\"data\":{\"n\": 2},\"uid\":\"u2\"}");
        assertThat(run("history", "{\"channel\":\"chat\"}")).isEqualTo("{\"result\":{\"publications\":["
                + "{\"data\":{\"n\":2},\"uid\":\"u2\"},{\"data\":\"one\",\"uid\":\"u1\"}]}}");
        assertThat(run("channels", "{}")).isEqualTo("{\"result\":{\"channels\":[]}}");
    }

    @Test
    void infoListsThisNodeWithTheSevenV2Keys() {
        String uid = node.node().info().uid();
        assertThat(run("info", "{}")).matches("\\{\"result\":\\{\"nodes\":\\[\\{\"uid\":\"" + uid + "\",\"name\":\""
                + node.node().config().name() + "\",\"version\":\"[^\"]*\",\"num_clients\":0,\"num_users\":0,"
                + "\"num_channels\":0,\"uptime\":\\d+}]}}");
    }

    @Test
    void commandErrorsAreV2ErrorObjectsWithCodeAndMessageOnly() {
        String badRequest = "{\"error\":{\"code\":107,\"message\":\"bad request\"}}";
        String notFound = "{\"error\":{\"code\":104,\"message\":\"method not found\"}}";
        String noNamespace = "{\"error\":{\"code\":102,\"message\":\"namespace not found\"}}";
        String notAvailable = "{\"error\":{\"code\":108,\"message\":\"not available\"}}";
        assertThat(run("publish", "{\"channel\":\"nope:chat\",\"data\":{}}")).isEqualTo(noNamespace);
        assertThat(run("presence_stats", "{\"channel\":\"nope:x\"}")).isEqualTo(noNamespace);
        assertThat(run("presence", "{\"channel\":\"bare:x\"}")).isEqualTo(notAvailable);
        assertThat(run("history", "{\"channel\":\"bare:x\"}")).isEqualTo(notAvailable);
        assertThat(run("presence_stats", "{\"channel\":\"bare:x\"}")).isEqualTo(notAvailable);
        // v1 answered these with a request-level 400; v2 has no request-level failures
        assertThat(run("publish", "{\"channel\":\"\",\"data\":{}}")).isEqualTo(badRequest);
        assertThat(run("publish", "{\"channel\":\"chat\"}")).isEqualTo(badRequest);
        assertThat(run("presence", "\"chat\"")).isEqualTo(badRequest);
        assertThat(run("broadcast", "{\"channels\":[],\"data\":1}")).isEqualTo(badRequest);
        assertThat(run("disconnect", "{\"user\":\"\"}")).isEqualTo(badRequest);
        assertThat(run("presence_stats", "{\"channel\":\"\"}")).isEqualTo(badRequest);
        assertThat(run("foo", "{}")).isEqualTo(notFound);
        // the v1-only methods do not exist in this dialect
        assertThat(run("stats", "{}")).isEqualTo(notFound);
        assertThat(run("node", "{}")).isEqualTo(notFound);
    }

    @Test
    void v1ErrorTextsMapToV2Codes() {
        assertThat(ApiV2.Error.of("namespace not found").code()).isEqualTo(102);
        assertThat(ApiV2.Error.of("method not found").code()).isEqualTo(104);
        assertThat(ApiV2.Error.of("limit exceeded").code()).isEqualTo(106);
        assertThat(ApiV2.Error.of("invalid message").code()).isEqualTo(107);
        assertThat(ApiV2.Error.of("not available").code()).isEqualTo(108);
        // engine failures carry their own text in v1; v2 reports them as internal errors
        assertThat(ApiV2.Error.of("dial tcp 127.0.0.1:6379: connect: connection refused").encode())
                .isEqualTo("{\"error\":{\"code\":100,\"message\":\"internal server error\"}}"
                        .getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void v2OnlyMethodsAreUnknownToV1() {
        Command info = new Command("", "info", null);
        Throwable refused = ApiCalls.done(api.executor().executeOne(info).handle((r, e) -> Failures.cause(e)));
        assertThat(refused).isInstanceOf(ApiRequestException.class).hasMessage("method not found");
        assertThat(run("info", null)).startsWith("{\"result\":{\"nodes\":[{\"uid\":\"" + node.node().info().uid() + "\",");
        for (String v2Only : new String[] {"presence_stats", "info"}) {
            assertThat(api.refused("{\"method\":\"" + v2Only + "\",\"params\":{\"channel\":\"a\"}}"))
                    .isEqualTo(ProtocolError.METHOD_NOT_FOUND);
        }
    }
}
