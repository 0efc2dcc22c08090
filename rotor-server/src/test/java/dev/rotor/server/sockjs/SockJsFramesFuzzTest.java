package dev.rotor.server.sockjs;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the SockJS client payloads ({@link SockJsFrames#decode}): an {@code xhr_send} body, a websocket message and
 * the {@code d} field of a form-encoded {@code jsonp_send} body. Each decodes to strings or fails with
 * {@link SockJsFrames.BrokenJsonException}; what decodes comes back unchanged from the server's own framing
 * ({@code a[...]} with SockJS's escaping). Regression inputs live in {@code SockJsFramesFuzzTestInputs/payload/};
 * fuzzing runs through {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class SockJsFramesFuzzTest {

    @FuzzTest
    void payload(byte[] payload) {
        List<String> polled = decodeOrNull(payload, false);
        List<String> socket = decodeOrNull(payload, true);
        if (polled != null) {
            assertThat(socket).as("the websocket accepts every array").isEqualTo(polled);
        }
        if (socket != null) {
            assertRoundTrip(socket);
        }
        // jsonp_send with a form body: the d field, as SockJsEndpoint reads it
        String body = new String(payload, StandardCharsets.UTF_8);
        List<String> d;
        try {
            d = new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters().get("d");
        } catch (IllegalArgumentException e) {
            return; // a bad percent-escape: the decoder's documented error, for the HTTP layer to answer
        }
        if (d != null && !d.isEmpty()) {
            List<String> fromForm = decodeOrNull(d.get(0).getBytes(StandardCharsets.UTF_8), false);
            if (fromForm != null) {
                assertRoundTrip(fromForm);
            }
        }
    }

    private static List<String> decodeOrNull(byte[] payload, boolean allowSingle) {
        try {
            return SockJsFrames.decode(payload, allowSingle);
        } catch (SockJsFrames.BrokenJsonException e) {
            return null;
        }
    }

    /** The messages framed by the server as {@code a[...]} decode back to themselves. */
    private static void assertRoundTrip(List<String> messages) {
        StringBuilder frame = new StringBuilder("[");
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                frame.append(',');
            }
            SockJsFrames.quote(frame, messages.get(i));
        }
        byte[] encoded = frame.append(']').toString().getBytes(StandardCharsets.UTF_8);
        assertThat(decodeOrNull(encoded, false)).as(Arrays.toString(encoded)).isEqualTo(messages);
    }
}
