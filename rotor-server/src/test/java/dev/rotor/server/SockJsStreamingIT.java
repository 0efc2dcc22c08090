package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.testkit.HttpStream;
import dev.rotor.testkit.SockJsTestClient;
import java.net.URI;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The streaming receivers: xhr_streaming, eventsource and htmlfile (SockJS 0.3.3, client-protocol.md §1.2, §7). */
class SockJsStreamingIT extends SockJsSupport {

    @Test
    void xhrStreamingFraming() throws Exception {
        start(25);
        String url = sessionUrl();
        try (HttpStream s = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
            HttpResponse<?> r = s.response();
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(header(r, "Content-Type")).isEqualTo("application/javascript; charset=UTF-8");
            assertThat(header(r, "Cache-Control"))
                    .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");
            assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(header(r, "Set-Cookie")).isNull();
            assertThat(s.next("\n", WAIT)).isEqualTo("h".repeat(2048) + "\n");
            assertThat(s.next("\n", WAIT)).isEqualTo("o\n");
            assertThat(post(url + "/xhr_send", "[\"{\\\"method\\\":\\\"connect\\\"}\"]").statusCode()).isEqualTo(204);
            // an invalid connect is fatal: the close frame arrives on the stream, then the response ends
            assertThat(s.next("\n", WAIT)).isEqualTo("c[3000,\"" + advice("invalid message", false)
                    .replace("\"", "\\\"") + "\"]\n");
            assertThat(s.awaitEnd(WAIT)).isEmpty();
        }
    }

    @Test
    void eventSourceFraming() throws Exception {
        start(25);
        String url = sessionUrl();
        try (HttpStream s = HttpStream.open(http, "GET", URI.create(url + "/eventsource"))) {
            assertThat(header(s.response(), "Content-Type")).isEqualTo("text/event-stream; charset=UTF-8");
            // sockjs-client 1.x opens eventsource cross-origin; without CORS the browser drops the stream.
            assertThat(header(s.response(), "Access-Control-Allow-Origin")).isEqualTo("*");
            assertThat(header(s.response(), "Cache-Control"))
                    .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");
            assertThat(s.next("\r\n", WAIT)).isEqualTo("\r\n");
            assertThat(s.next("\r\n\r\n", WAIT)).isEqualTo("data: o\r\n\r\n");
        }
    }

    @Test
    void htmlfileFramingAndCallbackValidation() throws Exception {
        start(25);
        String url = sessionUrl();
        try (HttpStream s = HttpStream.open(http, "GET", URI.create(url + "/htmlfile?c=%63allback"))) {
            assertThat(s.response().statusCode()).isEqualTo(200);
            assertThat(header(s.response(), "Content-Type")).isEqualTo("text/html; charset=UTF-8");
            assertThat(header(s.response(), "Cache-Control"))
                    .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");
            String head = s.next("\r\n\r\n", WAIT);
            assertThat(head.length()).isGreaterThan(1024);
            assertThat(head.strip()).startsWith("<!doctype html>\n<html><head>")
                    .contains("var c = parent.callback;\n    c.start();")
                    .endsWith("</script>");
            assertThat(s.next("</script>\r\n", WAIT)).isEqualTo("<script>\np(\"o\");\n</script>\r\n");
            post(url + "/xhr_send", SockJsTestClient.encode("{\"uid\":\"1\",\"method\":\"connect\"}"));
            assertThat(s.next("</script>\r\n", WAIT)).isEqualTo("<script>\np(\"c[3000,\\\"{\\\\\\\"reason\\\\\\\":"
                    + "\\\\\\\"invalid message\\\\\\\",\\\\\\\"reconnect\\\\\\\":false}\\\"]\");\n</script>\r\n");
        }
        HttpResponse<String> missing = get(sessionUrl() + "/htmlfile");
        assertThat(missing.statusCode()).isEqualTo(500);
        assertThat(missing.body()).isEqualTo("\"callback\" parameter required\n");
        HttpResponse<String> invalid = get(sessionUrl() + "/htmlfile?c=alert(1)");
        assertThat(invalid.statusCode()).isEqualTo(500);
        assertThat(invalid.body()).isEqualTo("invalid \"callback\" parameter\n");
    }

    @Test
    void streamingResponseIsRecycledAfter128KiBAndTheSessionContinues() throws Exception {
        start(25);
        String url = sessionUrl();
        String big = "x".repeat(16 * 1024);
        try (HttpStream s = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
            s.next("\n", WAIT);
            s.next("\n", WAIT);
            post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1")));
            assertThat(s.next("\n", WAIT)).contains("connect");
            post(url + "/xhr_send", SockJsTestClient.encode(subscribe("2", "news")));
            assertThat(s.next("\n", WAIT)).contains("subscribe");
            long received = 0;
            int publications = 0;
            while (!s.isEnded() && publications < 20) {
                assertThat(server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\"" + big
                        + "\"}}").statusCode()).isEqualTo(200);
                publications++;
                received += s.next("\n", WAIT).length();
                if (received >= 128 * 1024) {
                    break;
                }
            }
            assertThat(received).isGreaterThanOrEqualTo(128 * 1024);
            // the response ends right after the frame that crossed the limit
            assertThat(s.awaitEnd(WAIT)).isEmpty();
            assertThat(publications).isBetween(8, 9);
        }
        // the session lives on: a new receiver gets the next publication
        try (HttpStream s = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
            s.next("\n", WAIT);
            server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":\"after\"}}");
            assertThat(s.next("\n", WAIT)).startsWith("a[").contains("\\\"data\\\":\\\"after\\\"");
        }
    }

    @Test
    void shutdownClosesSessionsWithReconnectAdviceAndRefusesNewOnes() throws Exception {
        start(25);
        String url = sessionUrl();
        try (HttpStream s = HttpStream.open(http, "POST", URI.create(url + "/xhr_streaming"))) {
            s.next("\n", WAIT);
            s.next("\n", WAIT);
            post(url + "/xhr_send", SockJsTestClient.encode(connect("1", "u1")));
            assertThat(s.next("\n", WAIT)).contains("connect");
            server.server().markShuttingDown();
            assertThat(post(sessionUrl() + "/xhr", "").statusCode()).isEqualTo(503);
            assertThat(get(sessionUrl() + "/eventsource").statusCode()).isEqualTo(503);
            var stopping = server.server().shutdown();
            TestServer stopped = server;
            server = null;
            assertThat(s.next("\n", WAIT)).isEqualTo("c[3000,\"" + advice("shutting down", true)
                    .replace("\"", "\\\"") + "\"]\n");
            stopping.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(stopped.server().node().openSessionCount()).isZero();
        }
    }

    @Test
    void http10StreamingEndsByClosingTheConnection() throws Exception {
        start(25);
        String url = sessionUrl();
        String path = URI.create(url).getPath();
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.server().boundPort())) {
            socket.setSoTimeout((int) WAIT.toMillis());
            socket.getOutputStream().write(("POST " + path + "/xhr_streaming HTTP/1.0\r\nHost: 127.0.0.1\r\n"
                    + "Content-Length: 0\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            String head = dev.rotor.testkit.RawHttp.readHead(in).toLowerCase(java.util.Locale.ROOT);
            assertThat(head).startsWith("http/1.1 200").doesNotContain("transfer-encoding").contains("connection: close");
            assertThat(new String(in.readNBytes(2049 + 2), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("h".repeat(2048) + "\no\n");
            post(url + "/xhr_send", "[\"{}\"]");
            String rest = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            assertThat(rest).isEqualTo("c[3000,\"" + advice("unauthorized", false).replace("\"", "\\\"")
                    + "\"]\n");
        }
    }
}
