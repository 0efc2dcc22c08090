package dev.rotor.cli;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * Formats log lines like v1: {@code [I]: 2026/11/22 13:25:33 message} — level letter, local date and time
 * (configuration.md §5.4). A throwable, when given, follows on the next lines. Thread-safe (no mutable state).
 */
final class V1LogLayout extends LayoutBase<ILoggingEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy/MM/dd HH:mm:ss").withZone(ZoneId.systemDefault());

    @Override
    public String doLayout(ILoggingEvent event) {
        StringBuilder sb = new StringBuilder(64 + event.getFormattedMessage().length());
        sb.append('[').append(LogMarkers.levelOf(event).letter()).append("]: ")
                .append(TIME.format(Instant.ofEpochMilli(event.getTimeStamp()))).append(' ')
                .append(event.getFormattedMessage()).append('\n');
        IThrowableProxy t = event.getThrowableProxy();
        if (t != null) {
            sb.append(ThrowableProxyUtil.asString(t)).append('\n');
        }
        return sb.toString();
    }
}
