package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.HostileHttpServer;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The auth backend is a peer too: its answer is bounded ({@code maxResponseSize}, 1 MiB by default). */
class HttpChannelSignerTest {

    @Test
    void anEndlessAnswerFailsTheSignAtTheSizeLimit() throws Exception {
        try (HostileHttpServer backend = HostileHttpServer.endless()) {
            HttpChannelSigner signer = HttpChannelSigner.builder(backend.address() + "/auth").build();
            assertThatThrownBy(() -> signer.sign("client-1", "$private").get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorClientException.class).rootCause().isInstanceOf(IOException.class)
                    .hasMessage("response body larger than " + HttpChannelSigner.DEFAULT_MAX_RESPONSE_SIZE + " bytes");
            assertThat(backend.awaitFinished(Duration.ofSeconds(10))).as("the backend's writes ended").isTrue();
            assertThat(backend.sent()).as("bytes sent before the signer closed").isLessThan(64L << 20);
        }
    }

    @Test
    void aDrippingAnswerFailsTheSignWhenTheTimeoutPassesAgainAfterItsHeaders() throws Exception {
        try (HostileHttpServer backend = HostileHttpServer.dripping()) {
            HttpChannelSigner signer = HttpChannelSigner.builder(backend.address() + "/auth")
                    .timeout(Duration.ofSeconds(1)).build();
            assertThatThrownBy(() -> signer.sign("client-1", "$private").get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorClientException.class).rootCause().isInstanceOf(HttpTimeoutException.class)
                    .hasMessage("response body not complete within 1000 ms");
            assertThat(backend.awaitFinished(Duration.ofSeconds(10))).as("the connection was closed").isTrue();
        }
    }

    /** An answer past a parse limit (BoundedJson's, for maxResponseSize) fails the sign; the next answer is read. */
    @Test
    void anAnswerPastAParseLimitFailsTheSignAndTheSignerGoesOn() throws Exception {
        try (HostileHttpServer backend = HostileHttpServer.answering(
                "{\"$private\":{\"sign\":\"abc\",\"info\":" + "[".repeat(1007) + "]".repeat(1007) + "}}",
                "{\"$private\":{\"sign\":\"abc\"}}")) {
            HttpChannelSigner signer = HttpChannelSigner.builder(backend.address() + "/auth").maxResponseSize(4000)
                    .build();
            assertThatThrownBy(() -> signer.sign("client-1", "$private").get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorClientException.class)
                    .hasMessageContaining("returned JSON past a parse limit: Document nesting depth (1007) exceeds"
                            + " the maximum allowed (1006");
            assertThat(signer.sign("client-1", "$private").get(30, TimeUnit.SECONDS)).isEqualTo(new ChannelSign("abc", ""));
        }
    }
}
