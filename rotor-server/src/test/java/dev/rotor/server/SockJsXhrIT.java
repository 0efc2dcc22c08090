package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.HttpStream;
import dev.rotor.testkit.SockJsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** xhr polling and xhr_send (SockJS 0.3.3, client-protocol.md §1.2, §3, §9): framing, errors, session rules. */
class SockJsXhrIT extends SockJsSupport {

    @Test
    void pollingFramingHeadersAndSendAnswers() throws Exception {
        start(25);
        String url = sessionUrl();
        HttpResponse<String> open = post(url + "/xhr", "", "Origin", "http://app.test");
        assertThat(open.statusCode()).isEqualTo(200);
        assertThat(open.body()).isEqualTo("o\n");
        assertThat(header(open, "Content-Type")).isEqualTo("application/javascript; charset=UTF-8");
        assertThat(header(open, "Cache-Control"))
                .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");
        assertThat(header(open, "Access-Control-Allow-Origin")).isEqualTo("http://app.test");
        assertThat(header(open, "Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(header(open, "Set-Cookie")).isNull();

        HttpResponse<String> sent = post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1")),
                "Content-Type", "text/plain");
        assertThat(sent.statusCode()).isEqualTo(204);
        assertThat(sent.body()).isEmpty();
        assertThat(header(sent, "Content-Type")).isEqualTo("text/plain; charset=UTF-8");
        assertThat(header(sent, "Access-Control-Allow-Origin")).isEqualTo("*");
        assertThat(header(sent, "Cache-Control"))
                .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");

        HttpResponse<String> reply = post(url + "/xhr", "");
        assertThat(reply.body()).startsWith("a[\"{\\\"uid\\\":\\\"1\\\",\\\"method\\\":\\\"connect\\\"").endsWith("\"]\n");
        assertThat(server.server().node().openSessionCount()).isEqualTo(1);
        assertThat(server.server().node().metrics().count(dev.rotor.metrics.Counter.HTTP_SOCKJS_NUM_REQUESTS))
                .isEqualTo(1);
    }

    @Test
    void serverIdIsIgnoredAndAnyNonDotNonSlashIdsWork() throws Exception {
        start(25);
        String id = "abcdefgh_i-j%20";
        assertThat(post(base() + "/000/" + id + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(base() + "/999/" + id + "/xhr_send", SockJsTestClient.encode(connect("1", "u"))).statusCode())
                .isEqualTo(204);
        assertThat(post(base() + "/_/" + id + "/xhr", "").body()).contains("\\\"method\\\":\\\"connect\\\"");
    }

    @Test
    void sendErrors() throws Exception {
        start(25);
        String url = sessionUrl();
        assertThat(post(url + "/xhr", "").body()).isEqualTo("o\n");

        HttpResponse<String> broken = post(url + "/xhr_send", "[\"x");
        assertThat(broken.statusCode()).isEqualTo(500);
        assertThat(broken.body()).isEqualTo("Broken JSON encoding.\n");
        for (String notStrings : new String[] {"[1]", "{\"a\":1}", "\"x\"", "[\"a\"] x"}) {
            HttpResponse<String> r = post(url + "/xhr_send", notStrings);
            assertThat(r.statusCode()).as(notStrings).isEqualTo(500);
            assertThat(r.body()).as(notStrings).isEqualTo("Broken JSON encoding.\n");
        }
        HttpResponse<String> empty = post(url + "/xhr_send", "");
        assertThat(empty.statusCode()).isEqualTo(500);
        assertThat(empty.body()).isEqualTo("Payload expected.\n");

        HttpResponse<String> unknown = post(base() + "/000/no_such_session/xhr_send", "[\"x\"]");
        assertThat(unknown.statusCode()).isEqualTo(404);
        HttpResponse<String> unknownJsonp = post(base() + "/000/no_such_session/jsonp_send", "[\"x\"]");
        assertThat(unknownJsonp.statusCode()).isEqualTo(404);

        // the session survived the rejected sends
        assertThat(post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1"))).statusCode()).isEqualTo(204);
        assertThat(post(url + "/xhr", "").body()).contains("\\\"method\\\":\\\"connect\\\"");
    }

    @Test
    void severalPushesQueuedBetweenPollsGoOutInOneArrayFrame() throws Exception {
        start(25);
        SockJsTestClient c = open(SockJsTestClient.Transport.XHR);
        c.send(connect("1", "u1"), subscribe("2", "news"));
        c.nextMessage(WAIT);
        c.nextMessage(WAIT);
        for (int i = 1; i <= 3; i++) {
            assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":" + i + "}}")
                    .statusCode()).isEqualTo(200);
        }
        String frame = c.nextFrame(WAIT);
        var messages = SockJsTestClient.messages(frame);
        assertThat(messages).hasSize(3);
        for (int i = 1; i <= 3; i++) {
            assertThat(messages.get(i - 1)).startsWith("{\"method\":\"message\"").endsWith("\"data\":" + i + "}}");
        }
    }

    @Test
    void apiDisconnectClosesWith3000AndAdviceUntilTheSessionIsForgotten() throws Exception {
        start(25);
        SockJsTestClient c = connected(SockJsTestClient.Transport.XHR, "u1");
        assertThat(server.api("{\"method\":\"disconnect\",\"params\":{\"user\":\"u1\"}}").statusCode()).isEqualTo(200);
        String close = "c[3000,\"{\\\"reason\\\":\\\"disconnect\\\",\\\"reconnect\\\":false}\"]";
        assertThat(c.nextFrame(WAIT)).isEqualTo(close);
        assertThat(c.nextFrame(WAIT)).isEqualTo(close);
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
        // sends to a closed but not yet forgotten session are accepted and ignored
        assertThat(post(c.sessionUrl() + "/xhr_send", "[\"{}\"]").statusCode()).isEqualTo(204);
        assertThat(c.nextFrame(WAIT)).isEqualTo(close);
    }

    @Test
    void messageLongerThanClientRequestMaxSizeIsFatalLimitExceeded() throws Exception {
        start(NodeConfig.builder().clientRequestMaxSize(300), ServerConfig.builder());
        SockJsTestClient c = connected(SockJsTestClient.Transport.XHR, "u1");
        // the whole SockJS payload is larger, but each message is checked on its own (§1.2)
        String ping = "{\"uid\":\"" + "p".repeat(250) + "\",\"method\":\"ping\"}";
        c.send(ping, ping);
        assertThat(SockJsTestClient.messages(c.nextFrame(WAIT))).hasSize(2);
        c.send("{\"uid\":\"" + "x".repeat(300) + "\",\"method\":\"ping\"}");
        assertThat(c.nextFrame(WAIT)).isEqualTo("c[3000,\"{\\\"reason\\\":\\\"limit exceeded\\\",\\\"reconnect\\\":false}\"]");
    }

    @Test
    void aSecondReceiverGets2010AndTheFirstKeepsTheSession() throws Exception {
        start(25);
        String url = sessionUrl();
        try (HttpStream first = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
            first.next("\n", WAIT);
            assertThat(first.next("\n", WAIT)).isEqualTo("o\n");
            HttpResponse<String> second = post(url + "/xhr", "");
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body()).isEqualTo("c[2010,\"Another connection still open\"]\n");
            try (HttpStream third = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
                assertThat(third.next("\n", WAIT)).hasSize(2049);
                assertThat(third.awaitEnd(WAIT)).isEqualTo("c[2010,\"Another connection still open\"]\n");
            }
            post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1")));
            assertThat(first.next("\n", WAIT)).contains("\\\"method\\\":\\\"connect\\\"");
        }
    }

    @Test
    void abortedReceiverEndsTheSessionWith1002() throws Exception {
        start(25);
        String url = sessionUrl();
        HttpStream stream = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"));
        stream.next("\n", WAIT);
        assertThat(stream.next("\n", WAIT)).isEqualTo("o\n");
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 1);
        stream.close();
        await().atMost(WAIT).until(() -> server.server().node().openSessionCount() == 0);
        assertThat(post(url + "/xhr", "").body()).isIn("o\n", "c[1002,\"Connection interrupted\"]\n");
    }

    @Test
    void sessionWithoutReceiverTimesOutAfterTheDisconnectDelay() throws Exception {
        start(25);
        String url = sessionUrl();
        long opened = System.nanoTime();
        assertThat(post(url + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(server.server().node().openSessionCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> server.server().node().openSessionCount() == 0);
        // the delay is 5 s: the session cannot have gone earlier (timers never fire early)
        assertThat(Duration.ofNanos(System.nanoTime() - opened)).isGreaterThanOrEqualTo(Duration.ofMillis(4900));
        // forgotten: the same id opens a new session
        assertThat(post(url + "/xhr", "").body()).isEqualTo("o\n");
    }

    @Test
    void pollsWithinTheDisconnectDelayKeepTheSessionAlive() throws Exception {
        start(25);
        SockJsTestClient c = connected(SockJsTestClient.Transport.XHR, "u1");
        long until = System.nanoTime() + Duration.ofSeconds(7).toNanos();
        int n = 0;
        while (System.nanoTime() < until) {
            // each ping is answered at once, so every poll detaches quickly and the next attaches again
            c.send("{\"uid\":\"p" + n + "\",\"method\":\"ping\"}");
            assertThat(c.nextMessage(WAIT)).isEqualTo("{\"uid\":\"p" + n + "\",\"method\":\"ping\"}");
            n++;
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(() -> true);
        }
        assertThat(server.server().node().openSessionCount()).isEqualTo(1);
    }

    @Test
    void serverEscapesTheCharactersSockJsRequires() throws Exception {
        start(NodeConfig.builder().topLevel(ALL).insecure(true), ServerConfig.builder());
        SockJsTestClient c = open(SockJsTestClient.Transport.XHR);
        c.send(connect("1", ""), subscribe("2", "e"));
        c.nextMessage(WAIT);
        c.nextMessage(WAIT);
        String killers = "\u200c\u200f\u2028\u202f\u2060\u206f\ufff0\uffff\ud83d\ude00";
        assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"e\",\"data\":\"" + killers + "\"}}")
                .statusCode()).isEqualTo(200);
        String frame = c.nextFrame(WAIT);
        assertThat(frame).contains("\\u200c\\u200f\\u2028\\u202f\\u2060\\u206f\\ufff0\\uffff\\ud83d\\ude00")
                .doesNotContain("\u200c").doesNotContain("\uffff");
        assertThat(SockJsTestClient.messages(frame).get(0)).endsWith("\"data\":\"" + killers + "\"}}");
    }

    @Test
    void newSessionsPastSockjsMaxSessionsGet503UntilOneEnds() throws Exception {
        start(NodeConfig.builder().topLevel(ALL), ServerConfig.builder().sockjsMaxSessions(2));
        String first = sessionUrl();
        assertThat(post(first + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(sessionUrl() + "/xhr", "").body()).isEqualTo("o\n");
        String refused = sessionUrl();
        HttpResponse<String> third = post(refused + "/xhr", "");
        assertThat(third.statusCode()).isEqualTo(503);
        // a known session is still served at the bound
        assertThat(post(first + "/xhr_send", "[\"x\"]").statusCode()).isEqualTo(204);
        // once a session ends (its disconnect delay passes with no receiver), a new one is let in
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> post(sessionUrl() + "/xhr", "").statusCode() == 200);
    }
}
