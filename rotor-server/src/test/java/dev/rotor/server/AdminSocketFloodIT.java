package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.FloodWriter;
import dev.rotor.testkit.RawHttp;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin socket processes frames one at a time; while one waits for the engine, the frames after it wait with
 * reading paused, as a client connection's do. Before, every frame that arrived meanwhile was chained behind it in
 * memory, so an admin connection (with `admin` on, the socket is on the client port; this one is insecure) could grow
 * the chain without a bound. Here 24 MiB of {@code ping} frames follow a held {@code presence} (not more: the tests'
 * paranoid leak detector makes unmasking them slow, and the server's keepalive would end the connection).
 */
class AdminSocketFloodIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final GatedServer server = new GatedServer();

    @Test
    void framesBehindAPendingCommandStallThePeerInsteadOfPilingUp() throws Exception {
        server.start(NodeConfig.builder().insecureAdmin(true), ServerConfig.builder().admin(true));
        byte[] ping = RawHttp.clientFrame(1, ("{\"method\":\"ping\",\"params\":{\"pad\":\"" + "x".repeat(4000)
                + "\"}}").getBytes(StandardCharsets.UTF_8));
        int pings = (24 << 20) / ping.length;
        try (Socket socket = RawHttp.upgraded(server.port(), "/socket", "")) {
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.clientFrame(1, "{\"method\":\"presence\",\"params\":{\"channel\":\"held\"}}"
                    .getBytes(StandardCharsets.UTF_8)));
            FloodWriter writer = FloodWriter.start(out, ping, pings);
            assertThat(writer.awaitStall(WAIT)).as("the writer stalls while presence is held").isTrue();
            assertThat(writer.written()).as("bytes the server let in while presence is held").isLessThan(12L << 20);

            server.releasePresence();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            RawHttp.Frame first = RawHttp.readFrame(in);
            assertThat(first).isNotNull();
            assertThat(first.text()).startsWith("[{\"method\":\"presence\"");
            int pongs = 0;
            long readDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (pongs < pings && System.nanoTime() < readDeadline) {
                RawHttp.Frame f = RawHttp.readFrame(in);
                if (f == null) {
                    break;
                }
                if (f.opcode() == 1) {
                    assertThat(f.text()).isEqualTo("[{\"method\":\"ping\",\"error\":null,\"body\":\"pong\"}]");
                    pongs++;
                }
            }
            writer.awaitDone(WAIT);
            assertThat(pongs).as("every ping answered, after the presence").isEqualTo(pings);
        }
    }
}
