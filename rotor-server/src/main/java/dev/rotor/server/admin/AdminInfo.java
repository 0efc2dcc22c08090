package dev.rotor.server.admin;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.JsonWriter;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The body of the admin {@code info} command (admin-and-web.md §3.4): version, engine name and the node
 * configuration as v1 serialises it, durations in nanoseconds, the client secret included and the admin
 * credentials left out. Stateless.
 */
final class AdminInfo {
    private AdminInfo() {
    }

    static void write(JsonWriter w, NodeConfig c, String engineName) {
        w.raw("{\"data\":{").key("version").string(c.version()).raw(',').key("engine").string(engineName)
                .raw(',').key("config").raw('{');
        w.key("name").string(c.name()).raw(',');
        w.key("admin").bool(c.admin()).raw(',');
        w.key("insecure").bool(c.insecure()).raw(',');
        w.key("insecure_api").bool(c.insecureApi()).raw(',');
        w.key("insecure_admin").bool(c.insecureAdmin()).raw(',');
        w.key("max_channel_length").number(c.maxChannelLength()).raw(',');
        w.key("ping_interval").number(nanos(c.pingInterval())).raw(',');
        w.key("node_ping_interval").number(nanos(c.nodePingInterval())).raw(',');
        w.key("node_info_clean_interval").number(nanos(3L * c.nodePingInterval())).raw(',');
        w.key("node_info_max_delay").number(nanos(2L * c.nodePingInterval() + 1)).raw(',');
        w.key("node_metrics_interval").number(nanos(c.nodeMetricsInterval())).raw(',');
        w.key("presence_ping_interval").number(nanos(c.presencePingInterval())).raw(',');
        w.key("presence_expire_interval").number(nanos(c.presenceExpireInterval())).raw(',');
        w.key("expired_connection_close_delay").number(nanos(c.expiredConnectionCloseDelay())).raw(',');
        w.key("stale_connection_close_delay").number(nanos(c.staleConnectionCloseDelay())).raw(',');
        w.key("client_message_write_timeout").number(nanos(c.clientMessageWriteTimeout())).raw(',');
        w.key("client_request_max_size").number(c.clientRequestMaxSize()).raw(',');
        w.key("client_queue_max_size").number(c.clientQueueMaxSize()).raw(',');
        w.key("client_queue_initial_capacity").number(c.clientQueueInitialCapacity()).raw(',');
        w.key("client_channel_limit").number(c.clientChannelLimit()).raw(',');
        w.key("user_connection_limit").number(c.userConnectionLimit()).raw(',');
        w.key("private_channel_prefix").string(c.naming().privatePrefix()).raw(',');
        w.key("namespace_channel_boundary").string(c.naming().namespaceBoundary()).raw(',');
        w.key("user_channel_boundary").string(c.naming().userBoundary()).raw(',');
        w.key("user_channel_separator").string(c.naming().userSeparator()).raw(',');
        // v1 compat: the client channel boundary is reported under this key
        w.key("client_channel_separator").string(c.naming().clientBoundary()).raw(',');
        w.key("secret").string(c.secret()).raw(',');
        w.key("connection_lifetime").number(c.connectionLifetime()).raw(',');
        w.key("channel_options").raw('{');
        options(w, c.topLevel());
        w.raw("},").key("namespaces").raw('[');
        boolean first = true;
        for (Map.Entry<String, ChannelOptions> ns : c.namespaces().entrySet()) {
            if (!first) {
                w.raw(',');
            }
            first = false;
            w.raw('{').key("name").string(ns.getKey()).raw(',');
            options(w, ns.getValue());
            w.raw('}');
        }
        w.raw("]}}}");
    }

    private static void options(JsonWriter w, ChannelOptions o) {
        w.key("watch").bool(o.watch()).raw(',').key("publish").bool(o.publish()).raw(',')
                .key("anonymous").bool(o.anonymous()).raw(',').key("presence").bool(o.presence()).raw(',')
                .key("join_leave").bool(o.joinLeave()).raw(',').key("history_size").number(o.historySize()).raw(',')
                .key("history_lifetime").number(o.historyLifetime()).raw(',').key("recover").bool(o.recover())
                .raw(',').key("history_drop_inactive").bool(o.historyDropInactive());
    }

    private static long nanos(long seconds) {
        return TimeUnit.SECONDS.toNanos(seconds);
    }
}
