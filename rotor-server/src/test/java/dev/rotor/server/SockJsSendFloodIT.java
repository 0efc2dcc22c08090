package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.GatedPresenceEngine;
import dev.rotor.testkit.SockJsTestClient;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A peer that does not wait for its SockJS sends to be answered (docs/security.md, "Size limits"): while one
 * {@code xhr_send} waits behind a frame the engine holds, nothing more is read from its connection (a pipelined
 * send waits in the socket, answered in order afterwards), and a send to the same session from another connection is
 * refused with 429 and never processed. Before, both were queued in the session without a bound.
 */
class SockJsSendFloodIT extends SockJsSupport {
    private final GatedPresenceEngine engine = new GatedPresenceEngine();

    @AfterEach
    void closeEngine() {
        engine.close();
    }

    @Test
    void aSessionTakesOneWaitingSendAndItsConnectionIsNotReadMeanwhile() throws Exception {
        server = TestServer.start(NodeConfig.builder().topLevel(ALL), ServerConfig.builder().sockjsHeartbeatDelay(25),
                engine);
        String url = sessionUrl();
        assertThat(post(url + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1"))).statusCode()).isEqualTo(204);
        assertThat(post(url + "/xhr_send", SockJsTestClient.encode(subscribe("2", "c"))).statusCode()).isEqualTo(204);
        assertThat(post(url + "/xhr", "").body()).contains("\\\"uid\\\":\\\"1\\\"");

        try (Socket held = new Socket("127.0.0.1", server.server().boundPort())) {
            held.setSoTimeout(500);
            // a send the engine holds (presence), and a second one pipelined right behind it on the same connection
            OutputStream out = held.getOutputStream();
            out.write(sendRequest(url, "{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}"));
            out.write(sendRequest(url, "{\"uid\":\"q\",\"method\":\"ping\"}"));
            out.flush();
            InputStream in = held.getInputStream();
            assertThat(readAvailable(in)).as("nothing answered while presence is held").isEmpty();

            // the same session from another connection: refused at once, its message never processed
            HttpResponse<String> flood = post(url + "/xhr_send",
                    SockJsTestClient.encode("{\"uid\":\"x\",\"method\":\"ping\"}"));
            assertThat(flood.statusCode()).isEqualTo(429);
            assertThat(flood.body()).isEqualTo("A send of this session is still being processed.\n");

            engine.releasePresence(Map.of());
            String answers = "";
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answers.split("HTTP/1.1 204", -1).length < 3 && System.nanoTime() < deadline) {
                answers += readAvailable(in);
            }
            assertThat(answers.split("HTTP/1.1 204", -1)).as("both pipelined sends answered: %s", answers)
                    .hasSize(3);
        }
        String replies = post(url + "/xhr", "").body();
        assertThat(replies).contains("\\\"uid\\\":\\\"p\\\"").contains("\\\"uid\\\":\\\"q\\\"")
                .doesNotContain("\\\"uid\\\":\\\"x\\\"");
        assertThat(replies.indexOf("\\\"uid\\\":\\\"p\\\"")).isLessThan(replies.indexOf("\\\"uid\\\":\\\"q\\\""));
    }

    private static byte[] sendRequest(String url, String frame) {
        String path = url.substring(url.indexOf("/connection"));
        byte[] body = SockJsTestClient.encode(frame).getBytes(StandardCharsets.UTF_8);
        return ("POST " + path + "/xhr_send HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n" + new String(body, StandardCharsets.UTF_8))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** What the socket has within its read timeout (500 ms), as text; empty when nothing came. */
    private static String readAvailable(InputStream in) throws Exception {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                if (in.available() == 0) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // nothing (more) within the timeout
        }
        return got.toString(StandardCharsets.UTF_8);
    }
}
