package dev.rotor.node;

import static dev.rotor.node.Frames.json;
import static dev.rotor.node.Frames.presence;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testing.LogCapture;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The node's periodic work on the manual clock: the metrics window and node ping behind the API {@code stats} and
 * {@code node} commands (http-api.md §4.7, §4.8), the presence refresh (client-protocol.md §5.3), and a reload
 * rescheduling each of them as v1 does.
 */
class NodePeriodicWorkTest {
    @RegisterExtension
    final TestNode node = TestNode.builder()
            .config(b -> b.insecure(true).name("before").nodeMetricsInterval(1).nodePingInterval(1))
            .topLevel(o -> o.presence(true))
            .start();
    @RegisterExtension
    final LogCapture nodeLog = new LogCapture(Node.class);

    @Test
    void statsShowsTheCounterDeltasOfTheLastCompletedInterval() {
        node.connectedClient("a");
        node.connectedClient("b");
        assertThat(node.api(json("{'method':'stats'}"))).as("before the first rotation")
                .contains(json("'client_num_connect':0,")).contains(json("'metrics_interval':1"));
        // the interval ends at 1 s; the node ping that carries it to stats runs no later than 2 s
        node.advance(Duration.ofSeconds(2));
        assertThat(node.api(json("{'method':'stats'}"))).contains(json("'client_num_connect':2,"));
        node.advance(Duration.ofSeconds(1));
        assertThat(node.api(json("{'method':'stats'}"))).as("an interval without connects")
                .contains(json("'client_num_connect':0,"));
    }

    @Test
    void aReloadedMetricsIntervalReschedulesTheMetricsWindow() {
        node.reconfigure(b -> b.nodeMetricsInterval(60));
        node.connectedClient("a");
        node.advance(Duration.ofSeconds(59));
        assertThat(node.api(json("{'method':'stats'}"))).contains(json("'client_num_connect':0,"))
                .contains(json("'metrics_interval':60"));
        node.advance(Duration.ofSeconds(2));
        assertThat(node.api(json("{'method':'stats'}"))).contains(json("'client_num_connect':1,"));
    }

    @Test
    void aReloadedNameIsAnnouncedAtTheNextNodePing() {
        node.advance(Duration.ofSeconds(1));
        assertThat(node.api(json("{'method':'stats'}"))).contains(json("'name':'before'"));
        node.reconfigure(b -> b.name("after"));
        node.advance(Duration.ofSeconds(1));
        assertThat(node.api(json("{'method':'stats'}"))).contains(json("'name':'after'"))
                .doesNotContain(json("'name':'before'"));
    }

    @Test
    void nodeGaugesAndCountersCountWhatTheSpecSays() {
        TestClient a1 = node.connectedClient("a");
        node.connectedClient("a");
        TestClient anon1 = node.connectedClient("");
        node.connectedClient("");
        node.client(); // not authenticated: not a client yet
        a1.subscribe("x");
        anon1.subscribe("x");
        anon1.subscribe("y");
        // anonymous users count as one unique user
        assertThat(node.api(json("{'method':'node'}"))).contains(json("'node_num_clients':4,"))
                .contains(json("'node_num_unique_clients':2,")).contains(json("'node_num_channels':2,"))
                .contains(json("'client_num_connect':4,")).contains(json("'client_num_subscribe':3,"))
                .contains(json("'node_num_add_client_conn':4,")).contains(json("'node_num_add_client_sub':3,"));
    }

    @Test
    void aReloadedPresencePingIntervalReschedulesThePresenceRefresh() {
        node.reconfigure(b -> b.insecure(false).connectionLifetime(600));
        TestClient c = node.client();
        c.connect(TestNode.connectFrame("u", node.nowSeconds(), "{\"v\":1}"));
        c.subscribe("room");
        node.reconfigure(b -> b.presencePingInterval(1));
        assertThat(c.call(Frames.connect("refresh", "r", "u", node.nowSeconds(), "{\"v\":2}")))
                .contains("\"expired\":false");
        assertThat(c.call(presence("p", "room"))).contains("\"default_info\":{\"v\":1}");
        // with the start-up interval of 25 s the entry would keep the old info for 24 more seconds
        node.advance(Duration.ofSeconds(1));
        assertThat(c.call(presence("p", "room"))).contains("\"default_info\":{\"v\":2}");
    }

    /**
     * Pings reach the node through the engine, where anyone with access to Redis can publish forged ones with ever
     * new uids: the registry keeps at most {@link Node#MAX_NODES} (one warning a minute for the rest), and the nodes
     * it knows still refresh.
     */
    @Test
    void forgedPingsOfEverNewNodesAreHeldToTheRegistrysBound() {
        Node n = node.node();
        for (int i = 0; i < Node.MAX_NODES + 500; i++) {
            n.nodeSeen(new NodeInfo("forged-" + i, "1", "forged", 0, Map.of()));
        }
        assertThat(n.nodes()).hasSize(Node.MAX_NODES);
        n.nodeSeen(new NodeInfo("forged-0", "1", "renamed", 0, Map.of()));
        assertThat(n.nodes()).filteredOn(i -> i.uid().equals("forged-0")).singleElement()
                .extracting(NodeInfo::name).isEqualTo("renamed");
        assertThat(nodeLog.messages()).filteredOn(m -> m.contains("ignored a ping of node")).hasSize(1);
    }
}
