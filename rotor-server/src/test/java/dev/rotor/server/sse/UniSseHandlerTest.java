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
}
