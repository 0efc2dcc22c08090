package dev.rotor.server.admin;

import dev.rotor.node.Node;
import dev.rotor.node.NodeInfo;
import dev.rotor.protocol.JsonWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * The body of the admin {@code node_live} command, the one admin command beyond v1 (docs/admin.md): this node's
 * {@code node} reply (counters cumulative since start, client, user and channel counts as of now) with the process
 * values read now instead of at the last {@code node_metrics_interval}: {@code node_memory_heap_alloc} and
 * {@code node_memory_heap_sys} (heap used and committed), {@code node_num_goroutine} (live threads), plus
 * {@code node_process_cpu_nanos} (CPU time of the process since start), and beside it {@code time_ms} (when it
 * was read), from which the web interface draws its live charts. Read-only; nothing is sent to other nodes. Stateless.
 */
final class LiveNodeInfo {
    private LiveNodeInfo() {
    }

    /** {@code {"data":{"uid":..,"version":..,"name":..,"started_at":..,"metrics":{..}},"time_ms":..}}. */
    static void write(JsonWriter w, Node node) {
        NodeInfo info = node.info();
        Map<String, Long> metrics = new TreeMap<>(info.metrics());
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        metrics.put("node_memory_heap_alloc", heap.getUsed());
        metrics.put("node_memory_heap_sys", heap.getCommitted());
        metrics.put("node_num_goroutine", (long) ManagementFactory.getThreadMXBean().getThreadCount());
        metrics.put("node_process_cpu_nanos",
                ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(0L));
        w.raw("{\"data\":");
        new NodeInfo(info.uid(), info.version(), info.name(), info.startedAt(), metrics).write(w);
        w.raw(',').key("time_ms").number(System.currentTimeMillis()).raw('}');
    }
}
