package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/** The error text a failed command shows (client-protocol.md §12.2, http-api.md §4). */
class FailuresTest {

    @Test
    void causeLooksUnderEveryCompletionLayer() {
        IllegalStateException root = new IllegalStateException("down");
        assertThat(Failures.cause(new CompletionException(new CompletionException(root)))).isSameAs(root);
        assertThat(Failures.cause(root)).isSameAs(root);
        CompletionException bare = new CompletionException("no cause", null);
        assertThat(Failures.cause(bare)).isSameAs(bare);
    }

    @Test
    void protocolErrorsShowTheirV1TextAndOtherFailuresTheirMessage() {
        assertThat(Failures.text(new CompletionException(new ProtocolException(ProtocolError.NOT_AVAILABLE))))
                .isEqualTo("not available");
        assertThat(Failures.text(new CompletionException(new IllegalStateException("redis: connection refused"))))
                .isEqualTo("redis: connection refused");
        assertThat(Failures.text(new IllegalStateException())).isEqualTo("internal server error");
        assertThat(Failures.text(new IllegalStateException(""))).isEqualTo("internal server error");
    }
}
