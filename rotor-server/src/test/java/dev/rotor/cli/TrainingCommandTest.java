package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code rotor cds-training} drives its workload through a real server: every step checks its answer, so this test
 * fails as soon as a path the class-data sharing archive should cover stops working or answering as expected.
 */
class TrainingCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** The production setup (real server, standard engines) writing to {@link #out}. */
    private Main main() {
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        return new Main(Map.of(), print, print, EngineFactory.standard(), ManagedServer.rotor(), runner -> { },
                Duration.ofSeconds(10));
    }

    @Test
    void theTrainingWorkloadRunsEveryStepAgainstARealServerAndStopsIt() {
        int code = main().newCommandLine().execute("cds-training", "--rounds", "2");
        assertThat(code).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("cds-training: 2 rounds done");
    }

    @Test
    void itIsHiddenFromTheHelpThatMirrorsV1() {
        main().newCommandLine().execute("help");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("checkconfig").doesNotContain("cds-training");
    }
}
