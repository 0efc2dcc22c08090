package dev.rotor.server;

import java.util.Locale;

/** Byte counts as the start's log lines show them: exact, for grep and scripts, then readable. Stateless. */
public final class ByteCounts {
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};

    private ByteCounts() {
    }

    /** {@code "1577451520 bytes (1.5 GiB)"}; below 1 KiB only {@code "512 bytes"}. */
    public static String describe(long bytes) {
        if (bytes < 1024) {
            return bytes + " bytes";
        }
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        String readable = value < 10 ? String.format(Locale.ROOT, "%.1f", value)
                : String.valueOf(Math.round(value));
        return bytes + " bytes (" + readable + " " + UNITS[unit] + ")";
    }
}
