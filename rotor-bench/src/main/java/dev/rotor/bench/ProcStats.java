package dev.rotor.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.ToLongFunction;

/**
 * Samples local processes from {@code /proc/<pid>}: CPU time (user + system) and resident set size, summed over
 * the pids (e.g. the two nodes of a two-node run), plus the machine's load average and this generator's own CPU.
 * Stateless apart from the pids; thread-safe.
 */
final class ProcStats {
    /** USER_HZ; 100 on every Linux ABI in use (the kernel exposes it as sysconf(_SC_CLK_TCK)). */
    static final long CLOCK_TICKS_PER_SECOND = 100;

    /** The sampled processes; a single 0 when the server is not local (nothing is sampled then). */
    private final long[] pids;

    ProcStats(long... pids) {
        if (pids.length == 0) {
            throw new IllegalArgumentException("no pid");
        }
        this.pids = pids.clone();
    }

    boolean enabled() {
        for (long pid : pids) {
            if (pid <= 0) {
                return false;
            }
        }
        return true;
    }

    /** The first process (the only one, or node A). */
    long pid() {
        return pids[0];
    }

    /** CPU time of all the processes in nanoseconds, or -1 when not local or any is gone. */
    long cpuNanos() {
        return sum("stat", text -> parseCpuTicks(text) * (1_000_000_000L / CLOCK_TICKS_PER_SECOND));
    }

    /**
     * CPU time of all the processes' live threads in nanoseconds, from {@code /proc/<pid>/task/<tid>/schedstat}
     * (the scheduler's own account, to the nanosecond, where {@link #cpuNanos()} counts 10 ms ticks), or -1 when not
     * local, any is gone, or the kernel has no schedstat. Threads that exit in a window take their time with them,
     * so this is for windows in which a process starts and stops no threads, such as an idle server.
     */
    long threadCpuNanos() {
        if (!enabled()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            try (var tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        total += parseSchedstatNanos(Files.readString(task.resolve("schedstat")));
                    } catch (java.nio.file.NoSuchFileException e) {
                        // the thread exited between the listing and the read
                    }
                }
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return total;
    }

    /** The first field of a {@code schedstat} line: nanoseconds spent on a CPU. */
    static long parseSchedstatNanos(String schedstat) {
        return Long.parseLong(schedstat.trim().split(" ")[0]);
    }

    /** Resident set size of all the processes in bytes, or -1 when not local or any is gone. */
    long rssBytes() {
        return sum("status", text -> parseRssKb(text) * 1024);
    }

    private long sum(String file, ToLongFunction<String> parse) {
        if (!enabled()) {
            return -1;
        }
        long total = 0;
        for (long pid : pids) {
            try {
                total += parse.applyAsLong(Files.readString(Path.of("/proc", Long.toString(pid), file)));
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
        return total;
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
