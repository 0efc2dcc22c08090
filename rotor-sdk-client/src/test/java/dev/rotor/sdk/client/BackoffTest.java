package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2, 0.5, 0);

    @Test
    void delayDoublesPerAttemptUntilTheCap() {
        assertThat(backoff.delay(0, () -> 0)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(1, () -> 0)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(4, () -> 0)).isEqualTo(Duration.ofMillis(1600));
        assertThat(backoff.delay(5, () -> 0)).isEqualTo(Duration.ofSeconds(2));
        assertThat(backoff.delay(10_000, () -> 0)).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void jitterTakesAtMostItsShareOffTheDelay() {
        assertThat(backoff.delay(1, () -> 0.999999)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.delay(1, () -> 0.5)).isEqualTo(Duration.ofMillis(150));
        Backoff none = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(2), 2, 0, 0);
        assertThat(none.delay(3, () -> 0.7)).isEqualTo(Duration.ofMillis(800));
    }

    @Test
    void attemptsAreUnlimitedByDefaultAndBoundedWhenConfigured() {
        assertThat(Backoff.DEFAULT.allows(1_000_000)).isTrue();
        Backoff three = new Backoff(Duration.ZERO, Duration.ZERO, 1, 0, 3);
        assertThat(three.allows(2)).isTrue();
        assertThat(three.allows(3)).isFalse();
        assertThat(three.delay(2, () -> 0.3)).isEqualTo(Duration.ZERO);
    }

    @Test
    void defaultsFollowTheJavaScriptClient() {
        assertThat(Backoff.DEFAULT.delay(0, () -> 0)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Backoff.DEFAULT.delay(20, () -> 0)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("min <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ZERO, 0.5, 0, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("factor");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ZERO, 1, 1.5, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jitter");
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ZERO, 1, 0, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxAttempts");
    }
}
