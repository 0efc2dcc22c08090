package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class AutocertLimitsTest {

    @Test
    void theBackOffStartsAtOneMinuteDoublesPerConsecutiveFailureAndStopsAtOneHour() {
        Autocert.Limits limits = Autocert.Limits.DEFAULT;
        assertThat(limits.maxHosts()).isEqualTo(1_000);
        assertThat(limits.maxPendingOrders()).isEqualTo(16);
        assertThat(limits.retryAfter(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(limits.retryAfter(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(limits.retryAfter(6)).isEqualTo(Duration.ofMinutes(32));
        assertThat(limits.retryAfter(7)).isEqualTo(Duration.ofHours(1));
        assertThat(limits.retryAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void boundsBelowOneAndACapBelowTheFirstBackOffAreRejected() {
        assertThatThrownBy(() -> new Autocert.Limits(0, 16, Duration.ofMinutes(1), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Autocert.Limits(1_000, 0, Duration.ofMinutes(1), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Autocert.Limits(1_000, 16, Duration.ofHours(2), Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
