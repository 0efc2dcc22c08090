package dev.rotor.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The {@code pid_file} of configuration.md §3.6: the process id and a newline, mode 0644. Stateless. */
final class PidFile {

    private PidFile() {
    }

    /** Writes (or overwrites) the PID file; a failure is fatal for the caller. */
    static void write(Path file) throws IOException {
        Files.writeString(file, ProcessHandle.current().pid() + "\n", StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system
        }
    }

    /** Removes the PID file, ignoring failures: shutdown must go on. */
    static void remove(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // nothing useful to do while exiting
        }
    }
}
