package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The version scheme of docs/releasing.md: one SemVer version, in the parent pom, that {@link RotorVersion#FALLBACK},
 * the changelog and the SDK coordinates of docs/sdk.md agree with, so that a version bump that forgets one fails here.
 */
class RotorVersionTest {
    private static final Path ROOT = Path.of("..");
    private static final Pattern SEMVER = Pattern.compile("(\\d+\\.\\d+\\.\\d+)(-SNAPSHOT)?");

    @Test
    void theParentPomHasASemanticVersionAndEveryModuleInheritsIt() throws IOException {
        String version = pomVersion();
        assertThat(version).matches(SEMVER);
        try (var modules = Files.list(ROOT)) {
            for (Path pom : modules.map(m -> m.resolve("pom.xml")).filter(Files::isRegularFile).toList()) {
                assertThat(Files.readString(pom)).as(pom.toString())
                        .contains("<artifactId>rotor-parent</artifactId>\n    <version>" + version + "</version>");
            }
        }
    }

    @Test
    void theFallbackOutsideTheJarIsThePomVersion() throws IOException {
        assertThat(RotorVersion.FALLBACK).isEqualTo(pomVersion());
    }

    @Test
    void theChangelogHasAnEntryForTheVersionBeingBuilt() throws IOException {
        String changelog = Files.readString(ROOT.resolve("CHANGELOG.md"));
        String entry = "\n## \\[" + Pattern.quote(releaseVersion()) + "\\] - (\\d{4}-\\d{2}-\\d{2}|UNRELEASED)\n";
        assertThat(changelog).contains("\n## [Unreleased]\n").containsPattern(entry);
    }

    @Test
    void theSdkCoordinatesInTheDocsNameTheVersionBeingBuilt() throws IOException {
        String sdk = Files.readString(ROOT.resolve("docs/sdk.md"));
        String release = releaseVersion();
        for (String artifact : new String[] {"rotor-sdk-api", "rotor-sdk-client"}) {
            assertThat(sdk).contains("`dev.rotor:" + artifact + ":" + release + "`")
                    .contains("<artifactId>" + artifact + "</artifactId>\n  <version>" + release + "</version>")
                    .contains("implementation(\"dev.rotor:" + artifact + ":" + release + "\")");
        }
        assertThat(sdk).doesNotContainPattern("<version>(?!" + Pattern.quote(release) + "<)[^<]*</version>");
    }

    /** The {@code <version>} of the parent pom, the one right after its {@code rotor-parent} artifactId. */
    private static String pomVersion() throws IOException {
        Matcher m = Pattern.compile("<artifactId>rotor-parent</artifactId>\\s*<version>([^<]+)</version>")
                .matcher(Files.readString(ROOT.resolve("pom.xml")));
        assertThat(m.find()).as("the parent pom's version").isTrue();
        return m.group(1);
    }

    /** The version being built without {@code -SNAPSHOT}: the one the next release will carry. */
    private static String releaseVersion() throws IOException {
        Matcher m = SEMVER.matcher(pomVersion());
        assertThat(m.matches()).isTrue();
        return m.group(1);
    }
}
