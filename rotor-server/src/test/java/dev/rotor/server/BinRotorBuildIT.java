package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.server.attack.RotorProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, point 5: {@code bin/rotor} on a checkout without a jar builds it and says so while it does, one line per
 * Maven module, with no terminal escape codes (Debian's Maven writes {@code ESC[0m} even in batch mode), all on
 * stderr, so that {@code bin/rotor version} still prints only the version on stdout. The checkout is a copy of this
 * one's poms, main sources, {@code bin/} and {@code config/} (no tests, so the build compiles only what the jar
 * needs: about a minute on two cores); this one's jar is never touched.
 */
class BinRotorBuildIT {
    private static final char ESC = 0x1b;

    @TempDir
    Path checkout;

    @Test
    void binRotorShowsItsBuildProgressWithoutEscapeCodes() throws Exception {
        copySources(RotorProcess.repositoryRoot(), checkout);
        assertThat(checkout.resolve("rotor-server/target/rotor.jar")).doesNotExist();

        Run first = binRotorVersion(true);
        assertThat(first.exit).as(first.stderr).isZero();
        assertThat(first.stdout).as("only the version on stdout").matches("Rotor v\\S+ \\(Centrifugo v1\\.8\\.0 "
                + "compatible; Java [^)]+\\)\n");
        assertThat(first.stderr.lines().toList()).as(first.stderr)
                .contains("bin/rotor: building " + checkout.resolve("rotor-server/target/rotor.jar")
                        + " (Maven, tests skipped; usually 1-2 minutes)")
                .anyMatch(l -> l.matches("bin/rotor: {3}\\[\\d+/\\d+\\] Rotor protocol \\S+"))
                .anyMatch(l -> l.matches("bin/rotor: {3}\\[\\d+/\\d+\\] Rotor core \\S+"))
                .anyMatch(l -> l.matches("bin/rotor: {3}\\[(\\d+)/\\1\\] Rotor server \\S+"))
                .anyMatch(l -> l.matches("bin/rotor: built in \\d+ s"));
        assertThat(first.stderr).as("Maven's own log stays out").doesNotContain("[INFO]", "BUILD SUCCESS");
        assertThat(first.stdout + first.stderr).as("no escape codes").doesNotContain(String.valueOf(ESC));
        assertThat(checkout.resolve("rotor-server/target/rotor.jar")).isRegularFile();

        Run second = binRotorVersion(false);
        assertThat(second.exit).as(second.stderr).isZero();
        assertThat(second.stdout).isEqualTo(first.stdout);
        assertThat(second.stderr).as("a fresh jar is not rebuilt").doesNotContain("bin/rotor: building");
    }

    private record Run(int exit, String stdout, String stderr) {}

    /**
     * Runs {@code bin/rotor version} in the copy. With {@code building}, also checks that the first module's line
     * shows while the build still runs (the rest of the build takes tens of seconds), not only at its end.
     */
    private Run binRotorVersion(boolean building) throws IOException, InterruptedException {
        Path out = checkout.resolve("stdout.txt");
        Path err = checkout.resolve("stderr.txt");
        Process p = new ProcessBuilder(checkout.resolve("bin/rotor").toString(), "version").directory(checkout.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            if (building) {
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(100))
                        .until(() -> Files.readString(err).contains("] Rotor protocol ") || !p.isAlive());
                assertThat(p.isAlive()).as("the progress shows while building: %s", Files.readString(err)).isTrue();
            }
            assertThat(p.waitFor(10, TimeUnit.MINUTES)).as("bin/rotor finishes").isTrue();
        } finally {
            p.destroyForcibly();
        }
        return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    /** Copies the poms, {@code bin/}, {@code config/} and every module's {@code src/main} of {@code root}. */
    private static void copySources(Path root, Path to) throws IOException {
        Files.copy(root.resolve("pom.xml"), to.resolve("pom.xml"));
        List<Path> trees;
        try (Stream<Path> modules = Files.list(root)) {
            trees = modules.filter(m -> Files.isRegularFile(m.resolve("pom.xml")))
                    .flatMap(m -> Stream.of(m.resolve("pom.xml"), m.resolve("src/main"))).toList();
        }
        for (Path tree : Stream.concat(trees.stream(), Stream.of(root.resolve("bin"), root.resolve("config")))
                .filter(Files::exists).toList()) {
            try (Stream<Path> files = Files.walk(tree)) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(root.relativize(f).toString());
                    if (Files.isDirectory(f)) {
                        Files.createDirectories(target);
                    } else {
                        Files.createDirectories(target.getParent());
                        Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
            }
        }
    }
}
