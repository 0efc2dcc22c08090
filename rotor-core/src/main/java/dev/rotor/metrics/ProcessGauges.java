package dev.rotor.metrics;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Reads the process gauges v1 took from Go's runtime and {@code getrusage}, mapped to JVM values. Not thread-safe:
 * {@link Metrics} calls {@link #refresh} under its rotate lock.
 *
 * <p>Mapping (Go {@code runtime.MemStats} → JVM):
 * <ul>
 *   <li>{@code memory_sys} (all memory obtained from the OS) → heap committed + non-heap committed (metaspace, code
 *       cache) + the capacity of the NIO direct and mapped buffer pools;</li>
 *   <li>{@code memory_heap_sys} (heap obtained from the OS) → heap committed;</li>
 *   <li>{@code memory_heap_alloc} (bytes of live heap objects) → heap used (includes garbage not yet collected);</li>
 *   <li>{@code memory_stack_inuse} (goroutine stacks) → live threads × the thread stack size ({@code -Xss}, read
 *       from the HotSpot diagnostic bean, 1 MiB when unknown) — an upper estimate, the JVM does not report
 *       committed stack memory without native memory tracking;</li>
 *   <li>{@code rusage_utime}/{@code stime} → fields 14/15 of {@code /proc/self/stat} (Linux clock ticks of
 *       10 ms); elsewhere the total process CPU time as utime and 0 as stime;</li>
 *   <li>{@code cpu_usage} → CPU time used since the previous refresh divided by the wall time passed, in percent
 *       of one core (like top and gopsutil);</li>
 *   <li>{@code num_goroutine} → live thread count.</li>
 * </ul>
 */
final class ProcessGauges {
    private static final long NANOS_PER_TICK = 10_000_000L; // Linux USER_HZ is 100 for /proc
    private static final long DEFAULT_STACK_BYTES = 1024L * 1024L;
    private static final Path PROC_SELF_STAT = Path.of("/proc/self/stat");

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<BufferPoolMXBean> bufferPools = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);
    private final long threadStackBytes = readThreadStackBytes();

    private long lastCpuNanos; // process CPU time at the previous refresh
    private long lastWallNanos; // System.nanoTime() at the previous refresh

    ProcessGauges() {
        // Baseline: the first refresh reports the average CPU use since the JVM started.
        lastCpuNanos = 0;
        lastWallNanos = System.nanoTime()
                - Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()).toNanos();
    }

    /** Computes the eight process gauges into {@code values}, indexed by {@link Gauge#ordinal()}. */
    void refresh(AtomicLongArray values) {
        long[] cpu = cpuTimes();
        long wall = System.nanoTime();
        long used = cpu[0] + cpu[1];
        long elapsed = wall - lastWallNanos;
        long percent = elapsed > 0 ? Math.max(0, (used - lastCpuNanos) * 100 / elapsed) : 0;
        values.set(Gauge.NODE_CPU_USAGE.ordinal(), percent);
        lastCpuNanos = used;
        lastWallNanos = wall;
        values.set(Gauge.NODE_RUSAGE_UTIME.ordinal(), cpu[0]);
        values.set(Gauge.NODE_RUSAGE_STIME.ordinal(), cpu[1]);

        MemoryUsage heap = memory.getHeapMemoryUsage();
        MemoryUsage nonHeap = memory.getNonHeapMemoryUsage();
        long buffers = 0;
        for (BufferPoolMXBean pool : bufferPools) {
            buffers += Math.max(0, pool.getTotalCapacity());
        }
        values.set(Gauge.NODE_MEMORY_SYS.ordinal(), heap.getCommitted() + nonHeap.getCommitted() + buffers);
        values.set(Gauge.NODE_MEMORY_HEAP_SYS.ordinal(), heap.getCommitted());
        values.set(Gauge.NODE_MEMORY_HEAP_ALLOC.ordinal(), heap.getUsed());
        int threadCount = threads.getThreadCount();
        values.set(Gauge.NODE_MEMORY_STACK_INUSE.ordinal(), threadCount * threadStackBytes);
        values.set(Gauge.NODE_NUM_GOROUTINE.ordinal(), threadCount);
    }

    /** {user, system} CPU nanoseconds of this process. */
    private static long[] cpuTimes() {
        try {
            String stat = Files.readString(PROC_SELF_STAT, StandardCharsets.US_ASCII);
            // The command name (field 2) is in parentheses and may contain spaces: split after the last ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // fields[0] is field 3 (state), so field 14 (utime) is fields[11] and field 15 (stime) fields[12].
            return new long[] {
                Long.parseLong(fields[11]) * NANOS_PER_TICK, Long.parseLong(fields[12]) * NANOS_PER_TICK,
            };
        } catch (IOException | RuntimeException notLinux) {
            long total = ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
            return new long[] {total, 0};
        }
    }

    private static long readThreadStackBytes() {
        try {
            var diagnostic = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
            long kib = Long.parseLong(diagnostic.getVMOption("ThreadStackSize").getValue());
            return kib > 0 ? kib * 1024 : DEFAULT_STACK_BYTES;
        } catch (RuntimeException | LinkageError notHotSpot) {
            return DEFAULT_STACK_BYTES;
        }
    }
}
