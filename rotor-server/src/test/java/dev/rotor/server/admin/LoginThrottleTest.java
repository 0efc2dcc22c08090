package dev.rotor.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.timer.ManualClock;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LoginThrottle} on a manual clock: every rule and every bound, without waiting. */
class LoginThrottleTest {
    private final ManualClock clock = new ManualClock();

    private LoginThrottle throttle(LoginThrottleConfig.Builder config) {
        return new LoginThrottle(config.build(), clock);
    }

    /** A generous global budget, so only the per-address rules act. */
    private static LoginThrottleConfig.Builder perAddressOnly() {
        return LoginThrottleConfig.builder().failuresPerSecond(1_000_000).maxPending(1_000_000);
    }

    /** One failed attempt, answered at once; returns the delay it was given. */
    private static long fail(LoginThrottle t, String address) {
        assertThat(t.admit(address)).as("admit %s", address).isTrue();
        long delay = t.failed(address);
        t.answered(address);
        return delay;
    }

    @Test
    void theDelayDoublesWithEachFailureUpToTheCap() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(1000).maxDelayMillis(10_000));
        List<Long> delays = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            delays.add(fail(t, "a"));
        }
        assertThat(delays).containsExactly(1000L, 2000L, 4000L, 8000L, 10_000L, 10_000L, 10_000L);
        assertThat(fail(t, "b")).as("addresses count apart").isEqualTo(1000L);
    }

    @Test
    void aHugeFailureCountNeverOverflowsTheDelay() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(1).maxDelayMillis(LoginThrottleConfig.MAX_DELAY_LIMIT_MILLIS));
        long last = 0;
        for (int i = 0; i < 200; i++) {
            last = fail(t, "a");
        }
        assertThat(last).isEqualTo(LoginThrottleConfig.MAX_DELAY_LIMIT_MILLIS);
    }

    @Test
    void anAddressHasOneAttemptInProgressAtATime() {
        LoginThrottle t = throttle(perAddressOnly());
        assertThat(t.admit("a")).isTrue();
        assertThat(t.admit("a")).as("while its password is checked").isFalse();
        t.failed("a");
        assertThat(t.admit("a")).as("while its failure waits to be answered").isFalse();
        assertThat(t.admit("b")).as("another address").isTrue();
        t.answered("a");
        assertThat(t.admit("a")).isTrue();
    }

    @Test
    void successForgetsTheFailures() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(500).maxDelayMillis(60_000));
        fail(t, "a");
        fail(t, "a");
        assertThat(t.admit("a")).isTrue();
        t.succeeded("a");
        t.answered("a");

        assertThat(fail(t, "a")).isEqualTo(500L);
        assertThat(t.pending()).isZero();
    }

    @Test
    void failuresAreForgottenAfterAQuietPeriodAndTheirStateIsDropped() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(100).maxDelayMillis(60_000)
                .forgetAfterMillis(60_000));
        fail(t, "a");
        fail(t, "a");
        clock.advance(Duration.ofMillis(59_999));
        assertThat(fail(t, "a")).as("still remembered").isEqualTo(400L);

        clock.advance(Duration.ofMinutes(1));
        assertThat(t.addressCount()).isZero();
        assertThat(fail(t, "a")).isEqualTo(100L);
    }

    @Test
    void theRememberedAddressesAreBoundedAndTheLeastRecentlySeenGoesFirst() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(100).maxDelayMillis(60_000).maxAddresses(3));
        fail(t, "old");
        fail(t, "old");
        fail(t, "kept");
        fail(t, "kept");
        for (int i = 0; i < 1000; i++) {
            fail(t, "x" + i);
            fail(t, "kept"); // seen again and again, never the eldest
            assertThat(t.addressCount()).isLessThanOrEqualTo(3);
        }
        assertThat(fail(t, "old")).as("evicted, so it starts over").isEqualTo(100L);
        assertThat(fail(t, "kept")).as("its failures were kept").isEqualTo(60_000L);
    }

    @Test
    void theGlobalFailureBudgetHoldsAcrossAddresses() {
        LoginThrottle t = throttle(LoginThrottleConfig.builder().failuresPerSecond(5).maxPending(1000));
        for (int i = 0; i < 5; i++) {
            fail(t, "10.0.0." + i);
        }
        assertThat(t.admit("10.0.1.1")).as("a fresh address, but the budget is spent").isFalse();
        assertThat(t.admit("10.0.0.0")).isFalse();

        clock.advance(Duration.ofMillis(199)); // 0.995 of a token
        assertThat(t.admit("10.0.1.1")).isFalse();
        clock.advance(Duration.ofMillis(1));
        assertThat(t.admit("10.0.1.1")).isTrue();
        t.failed("10.0.1.1");
        t.answered("10.0.1.1");
        assertThat(t.admit("10.0.1.2")).isFalse();

        clock.advance(Duration.ofHours(1)); // refills to the burst, never beyond
        for (int i = 0; i < 5; i++) {
            fail(t, "10.0.2." + i);
        }
        assertThat(t.admit("10.0.3.0")).isFalse();
    }

    @Test
    void theAttemptsInProgressAreBoundedOverAllAddresses() {
        LoginThrottle t = throttle(LoginThrottleConfig.builder().failuresPerSecond(1000).maxPending(3));
        for (int i = 0; i < 3; i++) {
            assertThat(t.admit("p" + i)).isTrue();
            t.failed("p" + i);
        }
        assertThat(t.admit("p3")).isFalse();
        assertThat(t.pending()).isEqualTo(3);

        t.answered("p0");
        assertThat(t.admit("p3")).isTrue();
        assertThat(t.pending()).isEqualTo(3);
    }

    @Test
    void refusedAttemptsChangeNothing() {
        LoginThrottle t = throttle(perAddressOnly().firstDelayMillis(100).maxDelayMillis(60_000));
        assertThat(t.admit("a")).isTrue();
        for (int i = 0; i < 100; i++) {
            assertThat(t.admit("a")).isFalse();
        }
        assertThat(t.failed("a")).isEqualTo(100L);
        assertThat(t.pending()).isEqualTo(1);
    }

    @Test
    void ipv6PeersAreThrottledPerSlash64AndIpv4PerAddress() throws Exception {
        Object a = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2::1"), 1000));
        Object b = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:2:ffff::9"), 2000));
        Object c = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("2001:db8:1:3::1"), 1000));
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        Object v4a = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 1));
        Object v4b = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 2));
        Object v4c = AdminAuthHandler.peerKey(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 1));
        assertThat(v4a).isEqualTo(v4b).isNotEqualTo(v4c);
    }
}
