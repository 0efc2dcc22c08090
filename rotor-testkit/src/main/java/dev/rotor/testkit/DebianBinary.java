package dev.rotor.testkit;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates a program from a Debian package that a test needs (redis-server, chromium, pebble …) and fails loudly,
 * with the install command, when it is missing: a missing prerequisite never skips a test. Stateless.
 */
public final class DebianBinary {
    private DebianBinary() {
    }

    /**
     * The program at system property {@code property} (to use another copy), else at {@code defaultPath}.
     *
     * @param debianPackages the package(s) to install, as given to {@code apt-get install}
     * @param neededFor      what needs it, for the message, e.g. {@code "the Redis integration tests"}
     * @throws IllegalStateException when the file is missing or not executable
     */
    public static Path require(String property, String defaultPath, String debianPackages, String neededFor) {
        Path path = Path.of(System.getProperty(property, defaultPath));
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw new IllegalStateException(path + " is missing or not executable: " + neededFor + " need Debian's "
                    + debianPackages + "; install it with `apt-get install " + debianPackages + "` (bin/test does"
                    + " this when run as root), or set -D" + property + "=<path> to use another copy");
        }
        return path;
    }
}
