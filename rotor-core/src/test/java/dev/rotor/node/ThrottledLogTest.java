package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ThrottledLogTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };
    @RegisterExtension
    final LogCapture captured = new LogCapture("throttled-log-test");

    @Test
    void anOutageOfManyFailuresLogsOneLinePerIntervalWithTheCountOfTheRest() {
        ThrottledLog log = new ThrottledLog(captured.logger(), clock, 10_000);
        for (int i = 0; i < 500; i++) {
            log.warn("engine operation failed: {}", "connection refused " + i);
        }
        assertThat(captured.messages())
                .containsExactly("engine operation failed: connection refused 0");

        now.addAndGet(10_000);
        log.warn("engine operation failed: {}", "connection refused 500");
        assertThat(captured.messages()).containsExactly(
                "engine operation failed: connection refused 0",
                "engine operation failed: connection refused 500 (499 similar failures not logged in the last 10000 ms)");
    }

    @Test
    void failuresFurtherApartThanTheIntervalAreEachLogged() {
        ThrottledLog log = new ThrottledLog(captured.logger(), clock, 10_000);
        log.warn("node ping failed: {}", "a");
        now.addAndGet(10_001);
        log.warn("node ping failed: {}", "b");
        assertThat(captured.messages())
                .containsExactly("node ping failed: a", "node ping failed: b");
    }
}
