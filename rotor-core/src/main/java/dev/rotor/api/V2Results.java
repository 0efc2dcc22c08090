package dev.rotor.api;

import dev.rotor.node.Node;
import dev.rotor.node.NodeInfo;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Reply;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The Centrifugo v2 {@code result} objects (rubycent-wire.md, "Replies a v2-compatible server should give"), built
 * from the same node data the v1 bodies use. Raw info values are compacted, as in v1's serialised rendering.
 * Thread-safe (stateless).
 */
final class V2Results {
    private V2Results() {
    }

    /** {@code {"presence":{"<client>":{"client":..,"user":..[,"conn_info":..][,"chan_info":..]}}}}. */
    static Reply.Body presence(Map<String, ClientInfo> data) {
        return w -> {
            w.raw("{\"presence\":{");
            boolean first = true;
            for (Map.Entry<String, ClientInfo> e : data.entrySet()) {
                if (!first) {
                    w.raw(',');
                }
                first = false;
                w.string(e.getKey()).raw(':');
                clientInfo(w, e.getValue());
            }
            w.raw("}}");
        };
    }

    /** {@code {"num_clients":N,"num_users":M}}; anonymous connections count as one user, as in v1's gauges. */
    static Reply.Body presenceStats(Map<String, ClientInfo> data) {
        Set<String> users = new HashSet<>();
        for (ClientInfo info : data.values()) {
            users.add(info.user());
        }
        int clients = data.size();
        return w -> w.raw('{').key("num_clients").number(clients).raw(',').key("num_users").number(users.size())
                .raw('}');
    }

    /** {@code {"publications":[{"data":..,"uid":..[,"info":{..}]}]}}, newest first like v1's history. */
    static Reply.Body history(List<Message> messages) {
        return w -> {
            w.raw("{\"publications\":").array(messages, (out, m) -> {
                out.raw('{').key("data").raw(m.data().compacted()).raw(',').key("uid").string(m.uid());
                if (m.info() != null) {
                    out.raw(',').key("info");
                    clientInfo(out, m.info());
                }
                out.raw('}');
            });
            w.raw('}');
        };
    }

    /**
     * {@code {"nodes":[{"uid","name","version","num_clients","num_users","num_channels","uptime"}]}}: this node
     * with current values, the others as they last announced themselves.
     */
    static CompletionStage<ApiOutcome> info(Node node) {
        NodeInfo self = node.info();
        List<NodeInfo> nodes = new ArrayList<>();
        nodes.add(self);
        for (NodeInfo n : node.nodes()) {
            if (!n.uid().equals(self.uid())) {
                nodes.add(n);
            }
        }
        return CompletableFuture.completedFuture(ApiOutcome.ok(null, w -> {
            w.raw("{\"nodes\":").array(nodes, V2Results::nodeInfo);
            w.raw('}');
        }));
    }

    private static void nodeInfo(JsonWriter w, NodeInfo n) {
        Map<String, Long> m = n.metrics();
        w.raw('{').key("uid").string(n.uid()).raw(',').key("name").string(n.name()).raw(',').key("version")
                .string(n.version()).raw(',').key("num_clients").number(m.getOrDefault("node_num_clients", 0L))
                .raw(',').key("num_users").number(m.getOrDefault("node_num_unique_clients", 0L)).raw(',')
                .key("num_channels").number(m.getOrDefault("node_num_channels", 0L)).raw(',').key("uptime")
                .number(m.getOrDefault("node_uptime_seconds", 0L)).raw('}');
    }

    private static void clientInfo(JsonWriter w, ClientInfo info) {
        w.raw('{').key("client").string(info.client()).raw(',').key("user").string(info.user());
        if (info.defaultInfo() != null) {
            w.raw(',').key("conn_info").raw(info.defaultInfo().compacted());
        }
        if (info.channelInfo() != null) {
            w.raw(',').key("chan_info").raw(info.channelInfo().compacted());
        }
        w.raw('}');
    }
}
