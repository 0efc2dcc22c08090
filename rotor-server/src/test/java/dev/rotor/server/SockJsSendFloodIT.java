package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.GatedPresenceEngine;
import dev.rotor.testkit.RawHttp;
import dev.rotor.testkit.SockJsTestClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
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
        String url = connectedSession("u1");

        try (Socket held = new Socket("127.0.0.1", server.server().boundPort())) {
            held.setSoTimeout(500);
            // a send the engine holds (presence), and a second one pipelined right behind it on the same connection
            OutputStream out = held.getOutputStream();
            out.write(sendRequest(url, "{\"uid\":\"p\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}"));
            out.write(sendRequest(url, "{\"uid\":\"q\",\"method\":\"ping\"}"));
            out.flush();
            InputStream in = held.getInputStream();
            assertThat(RawHttp.readAvailable(in)).as("nothing answered while presence is held").isEmpty();

            // the same session from another connection: refused at once, its message never processed
            HttpResponse<String> flood = post(url + "/xhr_send",
                    SockJsTestClient.encode("{\"uid\":\"x\",\"method\":\"ping\"}"));
            assertThat(flood.statusCode()).isEqualTo(429);
            assertThat(flood.body()).isEqualTo("A send of this session is still being processed.\n");

            engine.releasePresence(Map.of());
            String answers = "";
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (answers.split("HTTP/1.1 204", -1).length < 3 && System.nanoTime() < deadline) {
                answers += RawHttp.readAvailable(in);
            }
            assertThat(answers.split("HTTP/1.1 204", -1)).as("both pipelined sends answered: %s", answers)
                    .hasSize(3);
        }
        String replies = post(url + "/xhr", "").body();
        assertThat(replies).contains("\\\"uid\\\":\\\"p\\\"").contains("\\\"uid\\\":\\\"q\\\"")
                .doesNotContain("\\\"uid\\\":\\\"x\\\"");
        assertThat(replies.indexOf("\\\"uid\\\":\\\"p\\\"")).isLessThan(replies.indexOf("\\\"uid\\\":\\\"q\\\""));
    }

    /** A pipelinable {@code xhr_send} of one frame to the session at {@code url}. */
    private static byte[] sendRequest(String url, String frame) {
        return RawHttp.post(url.substring(url.indexOf("/connection")) + "/xhr_send", "text/plain",
                SockJsTestClient.encode(frame));
    }

    /**
     * A send's messages wait in its session until processed, so the body's share of {@code http_body_budget} is kept
     * until then: sends held behind slow frames, in many sessions at once, stay within the budget. Here the budget is
     * 64 KiB; session A's send of ~100 KB waits behind a held presence, and session B's send of as much, from another
     * connection, is not read (nor answered) until A's was processed. Before, A's share was given back as soon as its
     * body was decoded, and every session could hold a body's worth of waiting messages beyond the budget.
     */
    @Test
    void aSendWaitingToBeProcessedKeepsItsShareOfTheBodyBudget() throws Exception {
        server = TestServer.start(NodeConfig.builder().topLevel(ALL), ServerConfig.builder().sockjsHeartbeatDelay(25)
                .http(HttpLimitsConfig.builder().bodyBudget(64 * 1024).build()), engine);
        String a = connectedSession("ua");
        String b = connectedSession("ub");
        StringBuilder pings = new StringBuilder();
        for (int i = 0; pings.length() < 100_000; i++) {
            pings.append(",\"{\\\"uid\\\":\\\"n").append(i).append("\\\",\\\"method\\\":\\\"ping\\\"}\"");
        }
        String held = "[\"{\\\"uid\\\":\\\"p\\\",\\\"method\\\":\\\"presence\\\",\\\"params\\\":{\\\"channel\\\":\\\"c\\\"}}\""
                + pings + "]";
        String later = "[" + pings.substring(1) + "]";
        try (Socket first = new Socket("127.0.0.1", server.server().boundPort());
                Socket second = new Socket("127.0.0.1", server.server().boundPort())) {
            first.setSoTimeout(500);
            second.setSoTimeout(500);
            first.getOutputStream().write(rawSend(a, held));
            first.getOutputStream().flush();
            InputStream firstIn = first.getInputStream();
            assertThat(RawHttp.readAvailable(firstIn)).as("A answered while presence is held").isEmpty();

            second.getOutputStream().write(rawSend(b, later));
            second.getOutputStream().flush();
            InputStream secondIn = second.getInputStream();
            assertThat(RawHttp.readAvailable(secondIn)).as("B answered while A holds the budget").isEmpty();

            engine.releasePresence(Map.of());
            assertThat(readUntil(firstIn, "HTTP/1.1 204")).as("A answered once processed").contains("HTTP/1.1 204");
            assertThat(readUntil(secondIn, "HTTP/1.1 204")).as("B answered after A").contains("HTTP/1.1 204");
        }
    }

    /** A session of the given user that completed connect and subscribed to {@code c}; its URL. */
    private String connectedSession(String user) throws Exception {
        String url = sessionUrl();
        assertThat(post(url + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(url + "/xhr_send", SockJsTestClient.encode(connect("1", user))).statusCode()).isEqualTo(204);
        assertThat(post(url + "/xhr_send", SockJsTestClient.encode(subscribe("2", "c"))).statusCode()).isEqualTo(204);
        assertThat(post(url + "/xhr", "").body()).contains("\\\"uid\\\":\\\"1\\\"");
        return url;
    }

    /** An {@code xhr_send} of the SockJS payload {@code body} (a JSON array of messages) to the session at {@code url}. */
    private static byte[] rawSend(String url, String body) {
        return RawHttp.post(url.substring(url.indexOf("/connection")) + "/xhr_send", "text/plain", body);
    }

    private static String readUntil(InputStream in, String text) throws Exception {
        String got = "";
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!got.contains(text) && System.nanoTime() < deadline) {
            got += RawHttp.readAvailable(in);
        }
        return got;
    }
}
