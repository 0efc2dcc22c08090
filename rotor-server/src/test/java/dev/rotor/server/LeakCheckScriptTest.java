package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.server.attack.RotorProcess;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakTracker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/leak-check}, the step of {@code bin/test} that fails the run on Netty buffer leak reports in the tests'
 * output: a report Netty's detector really produced fails it and is printed, the one known Lettuce report (copied
 * from the {@code bin/test} log it was seen in) is let through and counted, a log without reports passes silently.
 */
class LeakCheckScriptTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    /** What Netty's detector writes before the records (ResourceLeakDetector#reportTracedLeak). */
    private static final String REPORT_HEAD = "LEAK: ByteBuf.release() was not called before it's garbage-collected."
            + " See https://netty.io/wiki/reference-counted-objects.html for more information.";

    @TempDir
    Path dir;

    @Test
    void aReportOfNettysDetectorFailsTheRunAndIsPrinted() throws Exception {
        String records = realLeakRecords();
        Path log = write("real.log", "[INFO] Running dev.rotor.Something\n03:37:43.287 ERROR i.n.u.ResourceLeakDetector - "
                + REPORT_HEAD + records + "\n[INFO] Tests run: 1, Failures: 0\n");

        Run run = leakCheck(log);

        assertThat(run.exit).as(run.stderr).isEqualTo(1);
        assertThat(run.stderr).contains(REPORT_HEAD).contains("LeakCheckScriptTest.leakOne(")
                .contains("bin/leak-check: 1 Netty leak report(s) in the log").doesNotContain("[INFO]");
    }

    @Test
    void theKnownLettuceReportIsLetThroughAndCounted() throws Exception {
        Run run = leakCheck(resource("lettuce-known.txt"));

        assertThat(run.exit).as(run.stderr).isZero();
        assertThat(run.stderr.strip())
                .isEqualTo("bin/leak-check: 1 known Netty leak report(s) from Lettuce, let through (see bin/leak-check)");
    }

    @Test
    void anUnknownReportNextToTheKnownOneStillFailsAndOnlyItIsPrinted() throws Exception {
        String records = realLeakRecords();
        Path log = write("both.log", Files.readString(resource("lettuce-known.txt"))
                + "03:37:44.001 ERROR i.n.u.ResourceLeakDetector - " + REPORT_HEAD + records + "\n[INFO] BUILD SUCCESS\n");

        Run run = leakCheck(log);

        assertThat(run.exit).as(run.stderr).isEqualTo(1);
        assertThat(run.stderr).contains("LeakCheckScriptTest.leakOne(").doesNotContain("CommandHandler.channelRegistered")
                .contains("1 known Netty leak report(s)").contains("1 Netty leak report(s) in the log");
    }

    @Test
    void aLogWithoutReportsPassesSilently() throws Exception {
        Path log = write("clean.log", "[INFO] Running dev.rotor.Something\n03:37:43.287 ERROR d.r.Foo - not a leak\n"
                + "[INFO] BUILD SUCCESS\n");

        Run run = leakCheck(log);

        assertThat(run.exit).as(run.stderr).isZero();
        assertThat(run.stderr).isEmpty();
    }

    @Test
    void aMissingLogIsAUsageError() throws Exception {
        Run run = leakCheck(dir.resolve("absent.log"));

        assertThat(run.exit).isEqualTo(2);
        assertThat(run.stderr).startsWith("usage: bin/leak-check FILE");
    }

    /**
     * The records of one real leak: an object tracked by a detector of its own (every object sampled) and dropped
     * without {@code close}, collected, then reported when the detector tracks the next object. The report is kept
     * here rather than logged, so that this test's own leak never reaches the log {@code bin/leak-check} reads.
     */
    private static String realLeakRecords() {
        List<String> reported = new CopyOnWriteArrayList<>();
        ResourceLeakDetector<Object> detector = new ResourceLeakDetector<>(Object.class, 1) {
            @Override
            protected boolean needReport() {
                return true;
            }

            @Override
            protected void reportTracedLeak(String resourceType, String records) {
                reported.add(records);
            }
        };
        assertThat(ResourceLeakDetector.getLevel()).as("the tests' leak detector level (pom.xml argLine)")
                .isNotEqualTo(ResourceLeakDetector.Level.DISABLED);
        leakOne(detector);
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).until(() -> {
            System.gc();
            Object next = new Object();
            ResourceLeakTracker<Object> tracker = detector.track(next);
            tracker.close(next);
            return !reported.isEmpty();
        });
        return reported.get(0);
    }

    private static void leakOne(ResourceLeakDetector<Object> detector) {
        detector.track(new Object()); // never closed: a leak once collected
    }

    private Path resource(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(getClass().getSimpleName() + "/" + name)) {
            assertThat(in).as(name).isNotNull();
            return write(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    private record Run(int exit, String stderr) {
    }

    private Run leakCheck(Path log) throws Exception {
        Path script = RotorProcess.repositoryRoot().resolve("bin/leak-check");
        assertThat(script).isExecutable();
        Process p = new ProcessBuilder(script.toString(), log.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return new Run(p.exitValue(), stderr);
    }
}
