package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.FloodWriter;
import dev.rotor.testkit.RawHttp;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * HTTP/1.1 pipelining on the API: answers are paired with requests by their order only, so a request whose engine
 * call is still pending must be answered before a later one on the same connection that finished at once. Before,
 * the later one was answered first. Here the engine holds a {@code presence} call; a {@code channels} request
 * pipelined behind it is answered only after it.
 */
class HttpApiPipeliningIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    @RegisterExtension
    final GatedServer server = new GatedServer();
    @RegisterExtension
    final LogCapture apiLog = new LogCapture("dev.rotor.server.http.ApiEndpoint");

    @Test
    void pipelinedRequestsAreAnsweredInTheirOrderWhileAnEngineCallIsPending() throws Exception {
        server.start(NodeConfig.builder().insecureApi(true), ServerConfig.builder());
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.post("/api/", "application/json",
                    "{\"method\":\"presence\",\"params\":{\"channel\":\"held\"}}"));
            out.write(RawHttp.post("/api/", "application/json", "{\"method\":\"channels\",\"params\":{}}"));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(RawHttp.readAvailable(in)).as("nothing answered while presence is held").isEmpty();

            server.releasePresence();
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

    /**
     * The requests that arrive behind a held answer wait with reading paused: at most one read's worth is decoded
     * and kept, the rest stays in the socket buffers, and the peer's writes stall. Here 64 MiB of pipelined requests
     * follow a held {@code presence}; the writer must stall far short of that (kernel buffers are a few MiB here),
     * and once the answer is released every request is answered, in order.
     */
    @Test
    void requestsBehindAHeldAnswerStallThePeerInsteadOfPilingUp() throws Exception {
        server.start(NodeConfig.builder().insecureApi(true), ServerConfig.builder());
        byte[] request = RawHttp.post("/api/", "application/json",
                "{\"method\":\"channels\",\"params\":{}}" + " ".repeat(4000));
        int requests = (64 << 20) / request.length;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write(RawHttp.post("/api/", "application/json",
                    "{\"method\":\"presence\",\"params\":{\"channel\":\"held\"}}"));
            FloodWriter writer = FloodWriter.start(out, request, requests);
            assertThat(writer.awaitStall(WAIT)).as("the writer stalls while presence is held").isTrue();
            assertThat(writer.written()).as("bytes the server let in while presence is held")
                    .isLessThan(16L << 20);

            server.releasePresence();
            InputStream in = socket.getInputStream();
            StringBuilder answers = new StringBuilder();
            String status = "HTTP/1.1 200";
            int answered = 0;
            int scanned = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            byte[] buf = new byte[65536];
            while (answered < requests + 1 && System.nanoTime() < deadline) {
                int n;
                try {
                    n = in.read(buf);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                if (n < 0) {
                    break;
                }
                answers.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                int at;
                while ((at = answers.indexOf(status, scanned)) >= 0) {
                    answered++;
                    scanned = at + status.length();
                }
            }
            writer.awaitDone(WAIT);
            assertThat(answered).as("every request answered; the first answers: %s",
                    answers.substring(0, Math.min(answers.length(), 1500))).isEqualTo(requests + 1);
            assertThat(answers.indexOf("\"method\":\"presence\"")).isPositive()
                    .isLessThan(answers.indexOf("\"method\":\"channels\""));
        }
    }

    /**
     * Refused API requests are logged as v1 logs them, once, then at most once per 10 s with the count of the rest:
     * one connection pipelining unsigned requests otherwise wrote a line per request, about as many bytes of log as
     * it sent.
     */
    @Test
    void pipelinedUnsignedRequestsAreLoggedOncePerIntervalNotOnceEach() throws Exception {
        server.start(NodeConfig.builder().secret("s"), ServerConfig.builder());
        int requests = 2_000;
        byte[] unsigned = RawHttp.post("/api/", "application/json", "");
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            FloodWriter writer = FloodWriter.start(out, unsigned, requests);
            StringBuilder answers = new StringBuilder();
            int answered = 0;
            int scanned = 0;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answered < requests && System.nanoTime() < deadline) {
                answers.append(RawHttp.readAvailable(in));
                for (int at; (at = answers.indexOf("HTTP/1.1 400", scanned)) >= 0; scanned = at + 1) {
                    answered++;
                }
            }
            assertThat(answered).as("requests answered 400").isEqualTo(requests);
        }
        assertThat(apiLog.messages()).filteredOn(m -> m.contains("no sign found in API request from"))
                .hasSizeBetween(1, 2);
    }
}
