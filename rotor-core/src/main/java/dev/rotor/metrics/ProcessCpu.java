package dev.rotor.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * This process's CPU time split as {@code getrusage} splits it (v1's {@code node_rusage_utime}/{@code stime}).
 * Immutable; {@link #read()} is thread-safe.
 *
 * @param userNanos CPU time spent in user mode since the process started
 * @param systemNanos CPU time spent in the kernel since the process started
 */
public record ProcessCpu(long userNanos, long systemNanos) {
    private static final long NANOS_PER_TICK = 10_000_000L; // Linux USER_HZ is 100 for /proc
    private static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");

    /**
     * Reads fields 14/15 of {@code /proc/self/stat} (Linux clock ticks of 10 ms); elsewhere the total process CPU
     * time as user time and 0 as system time.
     */
    public static ProcessCpu read() {
        try {
            String stat = Files.readString(PROC_SELF_STAT, StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state), so field 14 (utime) is fields[11] and field 15 (stime) fields[12].
            return new ProcessCpu(Long.parseLong(fields[11]) * NANOS_PER_TICK,
                    Long.parseLong(fields[12]) * NANOS_PER_TICK);
        } catch (IOException | RuntimeException notLinux) {
            long total = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            return new ProcessCpu(total, 0);
        }
    }
}
