package dev.rotor.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Records what one logback logger logs during each test: {@code @RegisterExtension final LogCapture log = new
 * LogCapture("name")}, then {@link #messages()}. Attached before each test with an empty record, detached after it.
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(String loggerName) {
        this.logger = (Logger) LoggerFactory.getLogger(loggerName);
    }

    public LogCapture(Class<?> loggerClass) {
        this(loggerClass.getName());
    }

    /** The captured logger, for code under test that takes one. */
    public Logger logger() {
        return logger;
    }

    /**
     * The formatted messages logged so far in this test, oldest first. Safe while other threads log: the appender
     * appends under its own lock, which this copy takes too.
     */
    public List<String> messages() {
        synchronized (appender) {
            return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
    }
}
