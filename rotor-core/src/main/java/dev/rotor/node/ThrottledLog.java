package dev.rotor.node;

import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/**
 * Logs a recurring failure once, then at most once per interval with the number of occurrences left unlogged, so an
 * engine outage (every command failing) produces a few log lines instead of one per command; the server uses it for
 * warnings a peer can trigger at will (ACME orders refused at their bounds), the Redis engine for what arrives from
 * Redis (undecodable PUB/SUB messages, bad API queue entries) and the node for malformed control messages.
 *
 * <p>Thread-safe.
 */
public final class ThrottledLog {
    private final Logger log;
    private final Clock clock;
    private final long intervalMillis;
    /** Guarded by {@code this}: when the last line was written, and how many occurrences were dropped since. */
    private long lastLoggedAt = Long.MIN_VALUE;
    private long suppressed;

    public ThrottledLog(Logger log, Clock clock, long intervalMillis) {
        this.log = log;
        this.clock = clock;
        this.intervalMillis = intervalMillis;
    }

    /** Warns with {@code message} (an SLF4J pattern with one {@code {}} for {@code detail}) unless throttled. */
    public void warn(String message, Object detail) {
        write(Level.WARN, message, detail);
    }

    /** As {@link #warn}, at level INFO. */
    public void info(String message, Object detail) {
        write(Level.INFO, message, detail);
    }

    /** As {@link #warn}, at level ERROR. */
    public void error(String message, Object detail) {
        write(Level.ERROR, message, detail);
    }

    private void write(Level level, String message, Object detail) {
        long now = clock.millis();
        long dropped;
        synchronized (this) {
            if (lastLoggedAt != Long.MIN_VALUE && now - lastLoggedAt < intervalMillis) {
                suppressed++;
                return;
            }
            lastLoggedAt = now;
            dropped = suppressed;
            suppressed = 0;
        }
        if (dropped == 0) {
            log.atLevel(level).log(message, detail);
        } else {
            log.atLevel(level).log(message + " ({} similar failures not logged in the last {} ms)", detail, dropped,
                    intervalMillis);
        }
    }
}
