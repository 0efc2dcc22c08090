package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Disconnect;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class UniSseHandlerTest {

    @Test
    void eachReplyOfTheHandshakeBecomesItsOwnEventByteForByte() {
        String connect = "{\"method\":\"connect\",\"body\":{\"client\":\"c\",\"n\":[1, {\"x\":\"]\"}]}}";
        String subscribe = "{\"method\":\"subscribe\",\"body\":{\"channel\":\"ü\"}}";
        byte[] reply = ("[" + connect + "," + subscribe + "]").getBytes(StandardCharsets.UTF_8);
        assertThat(UniSseHandler.elements(reply)).extracting(b -> new String(b, StandardCharsets.UTF_8))
                .containsExactly(connect, subscribe);
    }

    @Test
    void aCloseBeforeTheStreamMapsToAnHttpStatus() {
        assertThat(UniSseHandler.statusOf(Disconnect.INVALID_TOKEN)).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(UniSseHandler.statusOf(Disconnect.UNAUTHORIZED)).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(UniSseHandler.statusOf(Disconnect.INVALID_MESSAGE)).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(UniSseHandler.statusOf(Disconnect.LIMIT_EXCEEDED)).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        assertThat(UniSseHandler.statusOf(Disconnect.INTERNAL_SERVER_ERROR))
                .isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(UniSseHandler.statusOf(Disconnect.SHUTDOWN)).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(UniSseHandler.statusOf(Disconnect.DISCONNECT)).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(UniSseHandler.statusOf(Disconnect.SLOW)).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(UniSseHandler.statusOf(Disconnect.STALE)).isEqualTo(HttpResponseStatus.FORBIDDEN);
    }

    /** Only error, last, recovered and the messages' own uids are read; uids inside data, and everything else, are skipped. */
    @Test
    void aReplySummaryReadsTheErrorTheLastAndTheMessageUidsOnly() {
        String subscribe = "{\"uid\":\"2\",\"method\":\"subscribe\",\"error\":null,\"body\":{\"channel\":\"news\","
                + "\"status\":true,\"last\":\"m9\",\"messages\":[{\"uid\":\"m9\",\"channel\":\"news\","
                + "\"data\":{\"uid\":\"fake\",\"deep\":[[],[{\"uid\":\"x\"}]]}},{\"data\":[1,2],\"uid\":\"m8\"},"
                + "{\"data\":\"no uid\"}],\"recovered\":true}}";
        UniSseHandler.ReplySummary s = UniSseHandler.ReplySummary.of(subscribe.getBytes(StandardCharsets.UTF_8));
        assertThat(s.error()).isEmpty();
        assertThat(s.last()).isEqualTo("m9");
        assertThat(s.recovered()).isTrue();
        assertThat(s.uids()).containsExactly("m9", "m8", "");

        UniSseHandler.ReplySummary refused = UniSseHandler.ReplySummary.of(
                "{\"method\":\"subscribe\",\"error\":\"permission denied\",\"body\":{\"channel\":\"$x\"}}"
                        .getBytes(StandardCharsets.UTF_8));
        assertThat(refused.error()).isEqualTo("permission denied");
        assertThat(refused.last()).isEmpty();
        assertThat(refused.recovered()).isFalse();
        assertThat(refused.uids()).isEmpty();
    }
}
