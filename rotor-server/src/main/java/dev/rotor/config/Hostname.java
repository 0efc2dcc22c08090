package dev.rotor.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's host name as Go's {@code os.Hostname()} reports it, for the default node name. Stateless. */
final class Hostname {
    private static final Path LINUX_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

    private Hostname() {
    }

    /** The host name, or {@code ?} when it cannot be found (v1 compat, configuration.md §3.2). */
    static String local() {
        // The kernel's value is exactly what gethostname(2) returns and needs no DNS lookup.
        try {
            if (Files.isReadable(LINUX_HOSTNAME)) {
                String s = Files.readString(LINUX_HOSTNAME).trim();
                if (!s.isEmpty()) {
                    return s;
                }
            }
        } catch (IOException | SecurityException e) {
            // fall back to the JDK below
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException | SecurityException e) {
            return "?";
        }
    }
}
