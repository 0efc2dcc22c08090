package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

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
    private final Logger logger = (Logger) LoggerFactory.getLogger("throttled-log-test");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    @BeforeEach
    void attach() {
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(appender);
    }

    @Test
    void anOutageOfManyFailuresLogsOneLinePerIntervalWithTheCountOfTheRest() {
        ThrottledLog log = new ThrottledLog(logger, clock, 10_000);
        for (int i = 0; i < 500; i++) {
            log.warn("engine operation failed: {}", "connection refused " + i);
        }
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("engine operation failed: connection refused 0");

        now.addAndGet(10_000);
        log.warn("engine operation failed: {}", "connection refused 500");
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                "engine operation failed: connection refused 0",
                "engine operation failed: connection refused 500 (499 similar failures not logged in the last 10000 ms)");
    }

    @Test
    void failuresFurtherApartThanTheIntervalAreEachLogged() {
        ThrottledLog log = new ThrottledLog(logger, clock, 10_000);
        log.warn("node ping failed: {}", "a");
        now.addAndGet(10_001);
        log.warn("node ping failed: {}", "b");
        assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage)
                .containsExactly("node ping failed: a", "node ping failed: b");
    }
}
