package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.GatedPresenceEngine;
import dev.rotor.testkit.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 pipelining on the API: answers are paired with requests by their order only, so a request whose engine
 * call is still pending must be answered before a later one on the same connection that finished at once. Before,
 * the later one was answered first. Here the engine holds a {@code presence} call; a {@code channels} request
 * pipelined behind it is answered only after it.
 */
class HttpApiPipeliningIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final GatedPresenceEngine engine = new GatedPresenceEngine();
    private TestServer server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        engine.close();
    }

    @Test
    void pipelinedRequestsAreAnsweredInTheirOrderWhileAnEngineCallIsPending() throws Exception {
        server = TestServer.start(NodeConfig.builder().insecureApi(true)
                .topLevel(ChannelOptions.builder().presence(true).build()), ServerConfig.builder(), engine);
        try (Socket socket = new Socket("127.0.0.1", server.server().boundPort())) {
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.post("/api/", "application/json",
                    "{\"method\":\"presence\",\"params\":{\"channel\":\"held\"}}"));
            out.write(RawHttp.post("/api/", "application/json", "{\"method\":\"channels\",\"params\":{}}"));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readAvailable(in)).as("nothing answered while presence is held").isEmpty();

            engine.releasePresence(Map.of());
            String answers = "";
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answers.split("HTTP/1.1 200", -1).length < 3 && System.nanoTime() < deadline) {
                answers += RawHttp.readAvailable(in);
            }
            assertThat(answers.split("HTTP/1.1 200", -1)).as("both answered: %s", answers).hasSize(3);
            assertThat(answers.indexOf("\"method\":\"presence\"")).as(answers).isPositive()
                    .isLessThan(answers.indexOf("\"method\":\"channels\""));
        }
    }
}
