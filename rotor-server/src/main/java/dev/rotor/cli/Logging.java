package dev.rotor.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import java.util.concurrent.Callable;
import org.slf4j.LoggerFactory;

/**
 * Configures Logback programmatically for v1-style output (configuration.md §3.6, §5.4): one appender, either the
 * console stream or a log file opened for appending (then nothing goes to the console), filtered by a v1 level.
 * Rotor's own loggers get the configured level; other libraries never log below info. Logback's context is the only
 * state, and {@link #configure} replaces its whole configuration. Thread-safe as far as Logback's reset is.
 */
public final class Logging {
    private static final String APPENDER = "rotor";

    private final OutputStream console;

    /** @param console where log lines go when there is no log file; never closed by Rotor */
    public Logging(OutputStream console) {
        this.console = Objects.requireNonNull(console, "console");
    }

    /** Info to the console: the setup used before the configuration is read. */
    public void configureDefault() {
        try {
            configure(LogLevel.INFO, "");
        } catch (IOException e) {
            throw new AssertionError("the console cannot fail to open", e);
        }
    }

    /**
     * Replaces the logging setup.
     *
     * @param logFile empty for the console
     * @throws IOException when the log file cannot be opened for appending; the setup is then unchanged
     */
    public void configure(LogLevel level, String logFile) throws IOException {
        if (!logFile.isEmpty()) {
            // Open once ourselves: Logback would only record the failure in its status list.
            Files.newOutputStream(Path.of(logFile), StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        }
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return; // another SLF4J binding is in charge (embedding); leave it alone
        }
        ctx.reset();
        V1LogLayout layout = new V1LogLayout();
        layout.setContext(ctx);
        layout.start();
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(ctx);
        encoder.setLayout(layout);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();

        OutputStreamAppender<ILoggingEvent> appender;
        if (logFile.isEmpty()) {
            appender = new OutputStreamAppender<>();
            appender.setContext(ctx);
            appender.setEncoder(encoder);
            appender.setOutputStream(new FilterOutputStream(console) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    flush(); // a reset stops the appender, which must not close stdout
                }
            });
        } else {
            FileAppender<ILoggingEvent> file = new FileAppender<>();
            file.setContext(ctx);
            file.setEncoder(encoder);
            file.setFile(logFile);
            file.setAppend(true);
            appender = file;
        }
        appender.setName(APPENDER);
        appender.addFilter(new V1LevelFilter(level));
        appender.start();

        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(level.compareTo(LogLevel.INFO) < 0 ? Level.INFO : logbackLevel(level));
        root.addAppender(appender);
        ctx.getLogger("dev.rotor").setLevel(logbackLevel(level));
    }

    /**
     * Runs {@code work} with every logger off and restores the levels afterwards: for the JIT warm-up, whose
     * private server would otherwise log its own start and stop as if it were the real one.
     */
    public <T> T quietly(Callable<T> work) throws Exception {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext ctx)) {
            return work.call();
        }
        Logger root = ctx.getLogger(Logger.ROOT_LOGGER_NAME);
        Logger rotor = ctx.getLogger("dev.rotor");
        Level rootLevel = root.getLevel();
        Level rotorLevel = rotor.getLevel();
        root.setLevel(Level.OFF);
        rotor.setLevel(Level.OFF);
        try {
            return work.call();
        } finally {
            root.setLevel(rootLevel);
            rotor.setLevel(rotorLevel);
        }
    }

    private static Level logbackLevel(LogLevel level) {
        switch (level) {
            case TRACE: return Level.TRACE;
            case DEBUG: return Level.DEBUG;
            case INFO: return Level.INFO;
            case WARN: return Level.WARN;
            case NONE: return Level.OFF;
            default: return Level.ERROR; // error, critical and fatal are all Logback errors
        }
    }
}
