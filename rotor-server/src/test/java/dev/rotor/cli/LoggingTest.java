package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {
    private static final Logger rotor = LoggerFactory.getLogger("dev.rotor.test");
    private static final Logger library = LoggerFactory.getLogger("io.netty.test");

    @TempDir
    Path dir;
    final ByteArrayOutputStream console = new ByteArrayOutputStream();
    final Logging logging = new Logging(console);

    @Test
    void linesLookLikeV1s() throws IOException {
        logging.configure(LogLevel.TRACE, "");

        rotor.trace("t");
        rotor.debug("d");
        rotor.info("i {}", 1);
        rotor.warn("w");
        rotor.error("e");
        rotor.error(LogMarkers.CRITICAL, "c");
        rotor.error(LogMarkers.FATAL, "f");

        assertThat(lines()).containsExactly("T t", "D d", "I i 1", "W w", "E e", "C c", "F f");
        assertThat(console.toString(StandardCharsets.UTF_8))
                .startsWith("[T]: ").containsPattern("^\\[T]: \\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} t\n");
    }

    @Test
    void criticalThresholdKeepsOnlyCriticalAndFatal() throws IOException {
        logging.configure(LogLevel.CRITICAL, "");

        rotor.warn("w");
        rotor.error("e");
        rotor.error(LogMarkers.CRITICAL, "c");
        rotor.error(LogMarkers.FATAL, "f");

        assertThat(lines()).containsExactly("C c", "F f");
    }

    @Test
    void noneLogsNothing() throws IOException {
        logging.configure(LogLevel.NONE, "");

        rotor.error(LogMarkers.FATAL, "f");

        assertThat(console.size()).isZero();
    }

    @Test
    void librariesNeverLogBelowInfo() throws IOException {
        logging.configure(LogLevel.DEBUG, "");

        library.debug("noise");
        library.info("useful");
        rotor.debug("ours");

        assertThat(lines()).containsExactly("I useful", "D ours");
    }

    @Test
    void levelsParseCaseInsensitivelyAndUnknownMeansInfo() {
        assertThat(LogLevel.parse("WARN")).isEqualTo(LogLevel.WARN);
        assertThat(LogLevel.parse("critical")).isEqualTo(LogLevel.CRITICAL);
        assertThat(LogLevel.parse("None")).isEqualTo(LogLevel.NONE);
        assertThat(LogLevel.parse("loud")).isEqualTo(LogLevel.INFO);
        assertThat(LogLevel.parse("")).isEqualTo(LogLevel.INFO);
    }

    @Test
    void aLogFileIsAppendedToAndTheConsoleStaysQuiet() throws IOException {
        Path file = Files.writeString(dir.resolve("rotor.log"), "old\n");

        logging.configure(LogLevel.INFO, file.toString());
        rotor.info("new");
        logging.configureDefault(); // closes the file

        assertThat(Files.readAllLines(file)).hasSize(2).first().isEqualTo("old");
        assertThat(Files.readAllLines(file).get(1)).matches("\\[I]: .* new");
        assertThat(console.size()).isZero();
    }

    @Test
    void aLogFileThatCannotBeOpenedLeavesTheSetupAlone() throws IOException {
        logging.configure(LogLevel.INFO, "");

        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> logging.configure(LogLevel.INFO, dir.resolve("no/such/dir.log").toString()))
                .isInstanceOf(IOException.class);
        rotor.info("still here");

        assertThat(lines()).containsExactly("I still here");
    }

    /** Each console line as "letter message", without the timestamp. */
    private java.util.List<String> lines() {
        return console.toString(StandardCharsets.UTF_8).lines()
                .map(l -> l.charAt(1) + " " + l.substring(25)) // "[I]: yyyy/MM/dd HH:mm:ss " is 25 chars
                .toList();
    }
}
