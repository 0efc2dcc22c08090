package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The server on each Netty transport that {@code netty_transport} names (docs/configuration.md): a real WebSocket
 * connect, subscribe and publish round trip and HTTP API calls over real sockets. io_uring and epoll are asserted to
 * be available: a machine where they are not fails here with Netty's reason instead of skipping.
 */
class NettyTransportIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<WsTestClient> clients = new ArrayList<>();

    @AfterEach
    void closeClients() {
        clients.forEach(WsTestClient::abort);
    }

    @ParameterizedTest
    @EnumSource(value = NettyTransport.class, names = {"IO_URING", "EPOLL", "NIO"})
    void messagingAndTheApiWorkOnTheTransport(NettyTransport transport) throws Exception {
        assertThat(transport.unavailabilityCause()).as("why %s cannot run here", transport.key()).isNull();
        NodeConfig.Builder node = NodeConfig.builder().topLevel(ChannelOptions.builder().publish(true).build());
        // two worker loops, so the two clients below most likely sit on different loops, each with its timer wheel
        try (TestServer server = TestServer.start(node, ServerConfig.builder().transport(transport).eventLoops(2))) {
            assertThat(server.server().transport()).isEqualTo(transport);
            assertThat(server.server().workerEventLoops()).isEqualTo(2);

            WsTestClient a = connect(server, "a");
            WsTestClient b = connect(server, "b");
            for (WsTestClient c : List.of(a, b)) {
                c.send("{\"uid\":\"s\",\"method\":\"subscribe\",\"params\":{\"channel\":\"room\"}}");
                assertThat(c.awaitFrame(WAIT)).contains("\"method\":\"subscribe\"").contains("\"status\":true");
            }

            a.send("{\"uid\":\"p\",\"method\":\"publish\",\"params\":{\"channel\":\"room\",\"data\":{\"n\":1}}}");
            assertThat(b.awaitFrame(WAIT)).startsWith("{\"method\":\"message\"").contains("\"data\":{\"n\":1}");
            List<String> fromA = List.of(a.awaitFrame(WAIT), a.awaitFrame(WAIT)); // the reply and the message, any order
            assertThat(fromA).contains("{\"uid\":\"p\",\"method\":\"publish\",\"body\":{\"channel\":\"room\",\"status\":true}}");
            assertThat(fromA).anyMatch(f -> f.startsWith("{\"method\":\"message\"") && f.contains("\"data\":{\"n\":1}"));

            HttpResponse<String> published = server.api(
                    "{\"method\":\"publish\",\"params\":{\"channel\":\"room\",\"data\":{\"n\":2}}}");
            assertThat(published.statusCode()).isEqualTo(200);
            assertThat(published.body()).isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");
            for (WsTestClient c : List.of(a, b)) {
                assertThat(c.awaitFrame(WAIT)).startsWith("{\"method\":\"message\"").contains("\"data\":{\"n\":2}");
            }

            HttpResponse<String> channels = server.api("{\"method\":\"channels\"}");
            assertThat(channels.statusCode()).isEqualTo(200);
            assertThat(channels.body()).isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[\"room\"]}}]");
        }
    }

    private WsTestClient connect(TestServer server, String user) {
        WsTestClient c = WsTestClient.connect(URI.create(server.wsUrl()), WAIT);
        clients.add(c);
        c.send(server.connectFrame("c", user, ""));
        assertThat(c.awaitFrame(WAIT)).startsWith("{\"uid\":\"c\",\"method\":\"connect\",\"body\":{");
        return c;
    }
}
