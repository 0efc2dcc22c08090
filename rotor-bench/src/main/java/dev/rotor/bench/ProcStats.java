package dev.rotor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Samples a local process from {@code /proc/<pid>}: CPU time (user + system) and resident set size, plus the
 * machine's load average and this generator's own CPU. Stateless apart from the pid; thread-safe.
 */
final class ProcStats {
    /** USER_HZ; 100 on every Linux ABI in use (the kernel exposes it as sysconf(_SC_CLK_TCK)). */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    /** 0 when the server is not local (nothing is sampled then). */
    private final long pid;

    ProcStats(long pid) {
        this.pid = pid;
    }

    boolean enabled() {
        return pid > 0;
    }

    long pid() {
        return pid;
    }

    /** Server CPU time in nanoseconds, or -1 when not local or gone. */
    long cpuNanos() {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parseCpuTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")))
                    * (1_000_000_000L / CLOCK_TICKS_PER_SECOND);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Server resident set size in bytes, or -1 when not local or gone. */
    long rssBytes() {
        if (pid <= 0) {
            return -1;
        }
        try {
            return parseRssKb(Files.readString(Path.of("/proc", Long.toString(pid), "status"))) * 1024;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** utime + stime (fields 14 and 15) of a {@code /proc/<pid>/stat} line; the command may contain spaces. */
    static long parseCpuTicks(String stat) {
        String rest = stat.substring(stat.lastIndexOf(')') + 2);
        String[] f = rest.trim().split(" ");
        // rest starts at field 3 (state), so utime (14) is index 11 and stime (15) index 12
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** The VmRSS value in kB of a {@code /proc/<pid>/status} text. */
    static long parseRssKb(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
            }
        }
        throw new IllegalArgumentException("no VmRSS line");
    }

    /** The 1-minute load average, or -1 when unavailable. */
    static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** CPU time used by this generator process, in nanoseconds. */
    static long ownCpuNanos() {
        var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getProcessCpuTime();
        }
        return -1;
    }

    /** This process's open-file limit, from {@code /proc/self/limits}; -1 when unknown. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
