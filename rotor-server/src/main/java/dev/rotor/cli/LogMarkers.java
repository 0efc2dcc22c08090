package dev.rotor.cli;

import org.slf4j.Marker;
import org.slf4j.MarkerFactory;

/**
 * SLF4J markers for v1's two levels above error: log {@code log.error(LogMarkers.CRITICAL, ...)} to get a
 * {@code [C]} line, {@code LogMarkers.FATAL} for {@code [F]}. Constants only.
 */
public final class LogMarkers {
    public static final Marker CRITICAL = MarkerFactory.getMarker("CRITICAL");
    public static final Marker FATAL = MarkerFactory.getMarker("FATAL");

    private LogMarkers() {
    }

    /** The v1 level of an SLF4J event: its Logback level, raised to critical or fatal by a marker. */
    static LogLevel levelOf(ch.qos.logback.classic.spi.ILoggingEvent event) {
        if (event.getMarkerList() != null) {
            for (Marker m : event.getMarkerList()) {
                if (m.contains(FATAL)) {
                    return LogLevel.FATAL;
                }
                if (m.contains(CRITICAL)) {
                    return LogLevel.CRITICAL;
                }
            }
        }
        switch (event.getLevel().toInt()) {
            case ch.qos.logback.classic.Level.TRACE_INT: return LogLevel.TRACE;
            case ch.qos.logback.classic.Level.DEBUG_INT: return LogLevel.DEBUG;
            case ch.qos.logback.classic.Level.INFO_INT: return LogLevel.INFO;
            case ch.qos.logback.classic.Level.WARN_INT: return LogLevel.WARN;
            default: return LogLevel.ERROR;
        }
    }
}
