package dev.rotor.server.http;

import dev.rotor.engine.EngineLosses;
import dev.rotor.engine.EngineShard;
import dev.rotor.engine.HistoryUsage;
import dev.rotor.node.ClientQueueBudget;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Gauge;
import dev.rotor.metrics.Metrics;
import dev.rotor.metrics.ProcessCpu;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds the node's v1 counters and gauges ({@link Metrics}, the ones {@code stats} reports) to a Micrometer registry
 * under Prometheus names: base units in the name, counters ending in {@code _total}, one name with a {@code type} or
 * {@code endpoint} label where v1 had one key per kind, and a HELP text for each. The v1 process gauges, which
 * mirror Go's runtime, are left to the standard JVM meters ({@code jvm_*}, {@code process_*}; docs/monitoring.md
 * has the mapping), except the {@code getrusage} CPU times, exported in seconds. Also the engine's per-shard state
 * (connected, reconnects, channels), the memory engine's history against its budget, and {@code /metrics}' own
 * requests and renders. Every meter reads its value at scrape time. Stateless.
 */
final class NodeMeters {
    private NodeMeters() {
    }

    /** How one v1 key appears on {@code /metrics}: a Micrometer name (dots become underscores), labels, HELP. */
    record Series(String name, String baseUnit, Tags tags, String help) {
        static Series of(String name, String help) {
            return new Series(name, null, Tags.empty(), help);
        }

        Series unit(String unit) {
            return new Series(name, unit, tags, help);
        }

        Series tag(String key, String value) {
            return new Series(name, baseUnit, tags.and(key, value), help);
        }
    }

    static void bind(Metrics metrics, MeterRegistry registry) {
        for (Counter c : Counter.values()) {
            Series s = series(c);
            FunctionCounter.builder(s.name(), metrics, m -> m.count(c)).baseUnit(s.baseUnit()).tags(s.tags())
                    .description(s.help()).register(registry);
        }
        for (Gauge g : Gauge.values()) {
            Series s = series(g);
            if (s != null) {
                io.micrometer.core.instrument.Gauge.builder(s.name(), metrics, m -> m.gauge(g))
                        .baseUnit(s.baseUnit()).description(s.help()).register(registry);
            }
        }
        FunctionCounter.builder("rotor.process.cpu.user", ProcessCpu.class,
                        p -> ProcessCpu.read().userNanos() / 1e9)
                .baseUnit("seconds").description("CPU time this process spent in user mode (v1 node_rusage_utime)")
                .register(registry);
        FunctionCounter.builder("rotor.process.cpu.system", ProcessCpu.class,
                        p -> ProcessCpu.read().systemNanos() / 1e9)
                .baseUnit("seconds").description("CPU time this process spent in the kernel (v1 node_rusage_stime)")
                .register(registry);
    }

    /**
     * One series per engine shard and state ({@code shard} and {@code address} labels), read from
     * {@code shards} at scrape time: {@code rotor_engine_shard_connected} (1 while the shard can serve),
     * {@code rotor_engine_shard_reconnects_total}, {@code rotor_engine_shard_channels}. The shard list has a fixed
     * length (none on the memory engine); a shard missing at scrape time reads as NaN.
     */
    static void bindEngine(Supplier<List<EngineShard>> shards, MeterRegistry registry) {
        for (EngineShard shard : shards.get()) {
            int i = shard.index();
            Tags tags = Tags.of("shard", Integer.toString(i), "address", shard.address());
            io.micrometer.core.instrument.Gauge.builder("rotor.engine.shard.connected", shards,
                            s -> value(s, i, e -> e.connected() ? 1 : 0))
                    .tags(tags).description("1 while this engine shard (a Redis) is connected, subscribed and "
                            + "answering, else 0; /health is 503 while any is 0").register(registry);
            FunctionCounter.builder("rotor.engine.shard.reconnects", shards, s -> value(s, i, EngineShard::reconnects))
                    .tags(tags).description("Times a connection to this engine shard came back after a loss")
                    .register(registry);
            io.micrometer.core.instrument.Gauge.builder("rotor.engine.shard.channels", shards,
                            s -> value(s, i, EngineShard::channels))
                    .tags(tags).description("Channels this node holds a PUB/SUB subscription for on this engine shard")
                    .register(registry);
        }
    }

    /**
     * The memory engine's history against {@code memory_history_budget}, read from {@code usage} at scrape time:
     * {@code rotor_memory_history_bytes}, {@code rotor_memory_history_budget_bytes} and
     * {@code rotor_memory_history_evicted_total}. Nothing is bound for an engine that keeps history elsewhere.
     */
    static void bindHistory(Supplier<Optional<HistoryUsage>> usage, MeterRegistry registry) {
        if (usage.get().isEmpty()) {
            return;
        }
        io.micrometer.core.instrument.Gauge.builder("rotor.memory.history", usage, u -> read(u, HistoryUsage::bytes))
                .baseUnit("bytes").description("Bytes the memory engine's channel histories count together "
                        + "(payloads and names plus fixed allowances per message and channel)")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("rotor.memory.history.budget", usage,
                        u -> read(u, HistoryUsage::budget))
                .baseUnit("bytes").description("memory_history_budget: the most the channel histories may count "
                        + "together").register(registry);
        FunctionCounter.builder("rotor.memory.history.evicted", usage, u -> read(u, HistoryUsage::evicted))
                .description("Channel histories removed before their history_lifetime ended because "
                        + "memory_history_budget was reached").register(registry);
    }

    /**
     * The client queues against {@code client_queue_budget}: {@code rotor_client_queues_counted_bytes},
     * {@code rotor_client_queue_budget_bytes} and {@code rotor_client_queue_budget_closed_total}.
     */
    static void bindClientQueues(ClientQueueBudget budget, MeterRegistry registry) {
        io.micrometer.core.instrument.Gauge.builder("rotor.client.queues.counted", budget, ClientQueueBudget::counted)
                .baseUnit("bytes").description("Bytes the client queues (and HTTP answers the socket has not taken) "
                        + "past 64 KiB count together against client_queue_budget, as last reported; smaller ones are not "
                        + "counted")
                .register(registry);
        io.micrometer.core.instrument.Gauge.builder("rotor.client.queue.budget", budget, ClientQueueBudget::budget)
                .baseUnit("bytes").description("client_queue_budget: the most the client queues may count together")
                .register(registry);
        FunctionCounter.builder("rotor.client.queue.budget.closed", budget, ClientQueueBudget::closedClients)
                .description("Clients closed as slow because the client queues together passed client_queue_budget")
                .register(registry);
    }

    /**
     * The requests for {@code /metrics} and the renders that answered them ({@link ScrapePacer}): Prometheus alone
     * makes about one render per request; many requests per render mean another peer is asking too.
     */
    static void bindScrapes(ScrapePacer pacer, MeterRegistry registry) {
        FunctionCounter.builder("rotor.metrics.requests", pacer, ScrapePacer::requests)
                .description("Requests for /metrics").register(registry);
        FunctionCounter.builder("rotor.metrics.renders", pacer, ScrapePacer::renders)
                .description("Renders of /metrics, each shared by the requests that waited for it; at most one per "
                        + ScrapePacer.GAP_MILLIS + " ms, counted when done")
                .register(registry);
    }

    /**
     * What the engine dropped or read back from its backend, read from {@code losses} at scrape time:
     * {@code rotor_engine_messages_dropped_total}, {@code rotor_engine_control_recovered_total} and
     * {@code rotor_engine_api_entries_dropped_total}. Nothing is bound for an engine without a backend (memory).
     */
    static void bindLosses(Supplier<Optional<EngineLosses>> losses, MeterRegistry registry) {
        if (losses.get().isEmpty()) {
            return;
        }
        FunctionCounter.builder("rotor.engine.messages.dropped", losses,
                        l -> l.get().map(EngineLosses::messagesDropped).orElse(0L))
                .description("Messages from Redis PUB/SUB dropped because this node's backlog was full; the "
                        + "subscribers of their channels are told to recover, control messages are read back from "
                        + "the control log").register(registry);
        FunctionCounter.builder("rotor.engine.control.recovered", losses,
                        l -> l.get().map(EngineLosses::controlRecovered).orElse(0L))
                .description("API disconnect and unsubscribe commands this node missed (PUB/SUB down, or dropped) "
                        + "and read back from the control log").register(registry);
        FunctionCounter.builder("rotor.engine.api.entries.dropped", losses,
                        l -> l.get().map(EngineLosses::apiEntriesDropped).orElse(0L))
                .description("Redis API queue entries dropped unparsed because they were longer than "
                        + "http_max_body_size").register(registry);
    }

    private static double read(Supplier<Optional<HistoryUsage>> usage, ToDoubleFunction<HistoryUsage> f) {
        return usage.get().map(f::applyAsDouble).orElse(Double.NaN);
    }

    private static double value(Supplier<List<EngineShard>> shards, int index, ToDoubleFunction<EngineShard> f) {
        List<EngineShard> all = shards.get();
        return index < all.size() ? f.applyAsDouble(all.get(index)) : Double.NaN;
    }

    static Series series(Counter counter) {
        return switch (counter) {
            case CLIENT_API_NUM_REQUESTS -> Series.of("rotor.client.commands",
                    "Client protocol commands handled (v1 client_api_num_requests)");
            case CLIENT_BYTES_IN -> Series.of("rotor.client.received",
                    "Bytes received from clients in protocol frames (v1 client_bytes_in)").unit("bytes");
            case CLIENT_BYTES_OUT -> Series.of("rotor.client.sent",
                    "Bytes sent to clients in protocol frames (v1 client_bytes_out)").unit("bytes");
            case CLIENT_NUM_CONNECT -> Series.of("rotor.client.connects",
                    "Client connect commands (v1 client_num_connect)");
            case CLIENT_NUM_MSG_PUBLISHED -> Series.of("rotor.client.messages.published",
                    "Publish commands sent by clients (v1 client_num_msg_published)");
            case CLIENT_NUM_MSG_QUEUED -> Series.of("rotor.client.messages.queued",
                    "Messages queued for delivery to clients (v1 client_num_msg_queued)");
            case CLIENT_NUM_MSG_SENT -> Series.of("rotor.client.messages.sent",
                    "Messages written to clients (v1 client_num_msg_sent)");
            case CLIENT_NUM_SUBSCRIBE -> Series.of("rotor.client.subscribes",
                    "Client subscribe commands (v1 client_num_subscribe)");
            case HTTP_API_NUM_REQUESTS -> httpRequests("api");
            case HTTP_RAW_WS_NUM_REQUESTS -> httpRequests("raw_ws");
            case HTTP_SOCKJS_NUM_REQUESTS -> httpRequests("sockjs");
            case NODE_NUM_ADD_CLIENT_CONN -> Series.of("rotor.node.client.connections.added",
                    "Client connections added to this node (v1 node_num_add_client_conn)");
            case NODE_NUM_REMOVE_CLIENT_CONN -> Series.of("rotor.node.client.connections.removed",
                    "Client connections removed from this node (v1 node_num_remove_client_conn)");
            case NODE_NUM_ADD_CLIENT_SUB -> Series.of("rotor.node.client.subscriptions.added",
                    "Channel subscriptions added on this node (v1 node_num_add_client_sub)");
            case NODE_NUM_REMOVE_CLIENT_SUB -> Series.of("rotor.node.client.subscriptions.removed",
                    "Channel subscriptions removed on this node (v1 node_num_remove_client_sub)");
            case NODE_NUM_ADD_PRESENCE -> Series.of("rotor.node.presence.added",
                    "Presence entries written to the engine (v1 node_num_add_presence)");
            case NODE_NUM_REMOVE_PRESENCE -> Series.of("rotor.node.presence.removed",
                    "Presence entries removed from the engine (v1 node_num_remove_presence)");
            case NODE_NUM_PRESENCE -> Series.of("rotor.node.presence.queries",
                    "Presence lookups in the engine (v1 node_num_presence)");
            case NODE_NUM_HISTORY -> Series.of("rotor.node.history.queries",
                    "History lookups in the engine (v1 node_num_history)");
            case NODE_NUM_LAST_MESSAGE_ID -> Series.of("rotor.node.last.message.id.queries",
                    "Last message id lookups in the engine (v1 node_num_last_message_id)");
            case NODE_NUM_CLIENT_MSG_PUBLISHED -> published("client");
            case NODE_NUM_JOIN_MSG_PUBLISHED -> published("join");
            case NODE_NUM_LEAVE_MSG_PUBLISHED -> published("leave");
            case NODE_NUM_ADMIN_MSG_PUBLISHED -> published("admin");
            case NODE_NUM_CONTROL_MSG_PUBLISHED -> published("control");
            case NODE_NUM_CLIENT_MSG_RECEIVED -> received("client");
            case NODE_NUM_JOIN_MSG_RECEIVED -> received("join");
            case NODE_NUM_LEAVE_MSG_RECEIVED -> received("leave");
            case NODE_NUM_ADMIN_MSG_RECEIVED -> received("admin");
            case NODE_NUM_CONTROL_MSG_RECEIVED -> received("control");
        };
    }

    /** The series of a v1 gauge, or null where a standard JVM meter replaces it (docs/monitoring.md). */
    static Series series(Gauge gauge) {
        return switch (gauge) {
            case NODE_NUM_CLIENTS -> Series.of("rotor.node.clients",
                    "Authenticated client connections on this node, as of the last node ping (v1 node_num_clients)");
            case NODE_NUM_UNIQUE_CLIENTS -> Series.of("rotor.node.users",
                    "Distinct user ids connected to this node, anonymous counting as one, as of the last node ping"
                            + " (v1 node_num_unique_clients)");
            case NODE_NUM_CHANNELS -> Series.of("rotor.node.channels",
                    "Channels with at least one subscriber on this node, as of the last node ping"
                            + " (v1 node_num_channels)");
            // process_cpu_usage, jvm_memory_*_bytes, jvm_threads_live_threads and process_uptime_seconds instead;
            // the rusage CPU times are the rotor_process_cpu_*_seconds_total counters, read live
            case NODE_CPU_USAGE, NODE_MEMORY_SYS, NODE_MEMORY_HEAP_SYS, NODE_MEMORY_HEAP_ALLOC, NODE_MEMORY_STACK_INUSE,
                    NODE_RUSAGE_UTIME, NODE_RUSAGE_STIME, NODE_NUM_GOROUTINE, NODE_UPTIME_SECONDS -> null;
        };
    }

    private static Series httpRequests(String endpoint) {
        return Series.of("rotor.http.requests",
                "HTTP requests by endpoint: api = /api/, raw_ws = /connection/websocket, sockjs = /connection/"
                        + " (v1 http_*_num_requests)").tag("endpoint", endpoint);
    }

    private static Series published(String type) {
        return Series.of("rotor.node.messages.published",
                "Messages this node published to the engine by type (v1 node_num_*_msg_published)").tag("type", type);
    }

    private static Series received(String type) {
        return Series.of("rotor.node.messages.received",
                "Messages this node received from the engine by type (v1 node_num_*_msg_received)").tag("type", type);
    }
}
