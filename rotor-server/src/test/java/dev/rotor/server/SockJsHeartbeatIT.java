package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.SockJsTestClient;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** SockJS {@code h} heartbeats every {@code sockjs_heartbeat_delay} seconds on every transport (§1.2, §7). */
class SockJsHeartbeatIT extends SockJsSupport {

    @ParameterizedTest
    @EnumSource(SockJsTestClient.Transport.class)
    void heartbeatsAtTheConfiguredDelay(SockJsTestClient.Transport transport) throws Exception {
        start(1);
        SockJsTestClient c = open(transport);
        // a waiting poll is answered with h; a stream or websocket gets one h per period
        assertThat(c.nextFrame(WAIT)).isEqualTo("h");
        assertThat(c.nextFrame(WAIT)).isEqualTo("h");
    }

    @ParameterizedTest
    @EnumSource(value = SockJsTestClient.Transport.class, names = {"XHR_STREAMING", "WEBSOCKET"})
    void zeroDelayDisablesHeartbeats(SockJsTestClient.Transport transport) throws Exception {
        start(0);
        SockJsTestClient c = open(transport);
        // at a 1 s delay the test above sees two heartbeats in this window; here nothing comes
        assertThatThrownBy(() -> c.nextFrame(Duration.ofMillis(2500))).isInstanceOf(AssertionError.class);
    }
}
