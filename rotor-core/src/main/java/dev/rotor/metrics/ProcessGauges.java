package dev.rotor.metrics;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.ThreadMXBean;
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
 *   <li>{@code rusage_utime}/{@code stime} → {@link ProcessCpu#read()}, in nanoseconds as v1 reports them;</li>
 *   <li>{@code cpu_usage} → CPU time used since the previous refresh divided by the wall time passed, in percent
 *       of one core (like top and gopsutil);</li>
 *   <li>{@code num_goroutine} → live thread count.</li>
 * </ul>
 */
final class ProcessGauges {
    private static final long DEFAULT_STACK_BYTES = 1024L * 1024L;

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
        ProcessCpu cpu = ProcessCpu.read();
        long wall = System.nanoTime();
        long used = cpu.userNanos() + cpu.systemNanos();
        long elapsed = wall - lastWallNanos;
        long percent = elapsed > 0 ? Math.max(0, (used - lastCpuNanos) * 100 / elapsed) : 0;
        values.set(Gauge.NODE_CPU_USAGE.ordinal(), percent);
        lastCpuNanos = used;
        lastWallNanos = wall;
        values.set(Gauge.NODE_RUSAGE_UTIME.ordinal(), cpu.userNanos());
        values.set(Gauge.NODE_RUSAGE_STIME.ordinal(), cpu.systemNanos());

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
