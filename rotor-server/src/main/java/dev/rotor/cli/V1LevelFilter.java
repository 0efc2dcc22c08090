package dev.rotor.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops events below a v1 threshold; needed because Logback has no levels for critical and fatal. Immutable.
 */
final class V1LevelFilter extends Filter<ILoggingEvent> {
    private final LogLevel threshold;

    V1LevelFilter(LogLevel threshold) {
        this.threshold = threshold;
    }

    @Override
    public FilterReply decide(ILoggingEvent event) {
        if (threshold == LogLevel.NONE) {
            return FilterReply.DENY;
        }
        return LogMarkers.levelOf(event).compareTo(threshold) >= 0 ? FilterReply.NEUTRAL : FilterReply.DENY;
    }
}
