package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.NodeConfig;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The static SockJS URLs (client-protocol.md §1.2): greeting, redirect, info with CORS, iframe page, 404s. */
class SockJsRoutesIT extends SockJsSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void greetingAndRedirect() throws Exception {
        start(25);
        HttpResponse<String> r = get(base() + "/");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "Content-Type")).isEqualTo("text/plain;charset=UTF-8");
        assertThat(r.body()).isEqualTo("Welcome to SockJS!\n");
        assertThat(header(r, "Set-Cookie")).isNull();

        HttpResponse<String> redirect = get(base());
        assertThat(redirect.statusCode()).isEqualTo(301);
        assertThat(header(redirect, "Location")).isEqualTo("/connection/");
        // the counter counts sessions, not requests
        assertThat(server.server().node().metrics().count(dev.rotor.metrics.Counter.HTTP_SOCKJS_NUM_REQUESTS))
                .isZero();
    }

    @Test
    void redirectKeepsTheHttpPrefix() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().httpPrefix("/rt"));
        String url = "http://127.0.0.1:" + server.server().boundPort() + "/rt/connection";
        assertThat(header(get(url), "Location")).isEqualTo("/rt/connection/");
        assertThat(get(url + "/").body()).isEqualTo("Welcome to SockJS!\n");
        assertThat(get(base() + "/").statusCode()).isEqualTo(404);
        assertThat(post(url + "/000/s1/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(base() + "/000/s2/xhr", "").statusCode()).isEqualTo(404);
    }

    /** A session id longer than the registry keeps (64 characters) is a path like no other: 404, no session. */
    @Test
    void sessionIdsLongerThan64CharactersAreNotFound() throws Exception {
        start(25);
        assertThat(post(base() + "/000/" + "a".repeat(64) + "/xhr", "").body()).isEqualTo("o\n");
        assertThat(post(base() + "/000/" + "b".repeat(65) + "/xhr", "").statusCode()).isEqualTo(404);
        assertThat(post(base() + "/000/" + "c".repeat(8000) + "/xhr", "").statusCode()).isEqualTo(404);
    }

    @Test
    void infoHasTheV1FieldsRandomEntropyAndCors() throws Exception {
        start(25);
        HttpResponse<String> r1 = get(base() + "/info", "Origin", "http://example.test");
        assertThat(r1.statusCode()).isEqualTo(200);
        assertThat(header(r1, "Content-Type")).isEqualTo("application/json; charset=UTF-8");
        assertThat(header(r1, "Cache-Control"))
                .isEqualTo("no-store, no-cache, no-transform, must-revalidate, max-age=0");
        assertThat(header(r1, "Access-Control-Allow-Origin")).isEqualTo("http://example.test");
        assertThat(header(r1, "Access-Control-Allow-Credentials")).isEqualTo("true");
        assertThat(header(r1, "Set-Cookie")).isNull();
        JsonNode info = JSON.readTree(r1.body());
        assertThat(info.get("websocket").asBoolean()).isTrue();
        assertThat(info.get("cookie_needed").isBoolean()).isTrue();
        assertThat(info.get("cookie_needed").asBoolean()).isFalse();
        assertThat(info.get("origins").toString()).isEqualTo("[\"*:*\"]");
        assertThat(info.get("entropy").isIntegralNumber()).isTrue();
        assertThat(r1.body()).matches("\\{\"websocket\":true,\"cookie_needed\":false,\"origins\":\\[\"\\*:\\*\"],"
                + "\"entropy\":\\d+}");

        long e1 = info.get("entropy").asLong();
        long e2 = JSON.readTree(get(base() + "/info").body()).get("entropy").asLong();
        long e3 = JSON.readTree(get(base() + "/info").body()).get("entropy").asLong();
        assertThat(e1 == e2 && e2 == e3).as("entropy %s %s %s", e1, e2, e3).isFalse();

        HttpResponse<String> noOrigin = get(base() + "/info");
        assertThat(header(noOrigin, "Access-Control-Allow-Origin")).isEqualTo("*");
        HttpResponse<String> nullOrigin = get(base() + "/info", "Origin", "null");
        assertThat(header(nullOrigin, "Access-Control-Allow-Origin")).isEqualTo("*");
    }

    @Test
    void optionsPreflightsAreCacheableForAYear() throws Exception {
        start(25);
        for (String[] urlAndMethods : new String[][] {{"/info", "OPTIONS, GET"},
                {"/abc/abc/xhr", "OPTIONS, POST"}, {"/abc/abc/xhr_send", "OPTIONS, POST"},
                {"/abc/abc/xhr_streaming", "OPTIONS, POST"}}) {
            HttpResponse<String> r = options(base() + urlAndMethods[0], "Origin", "http://a.test",
                    "Access-Control-Request-Headers", "x-a, x-b");
            assertThat(r.statusCode()).as(urlAndMethods[0]).isEqualTo(204);
            assertThat(r.body()).isEmpty();
            assertThat(header(r, "Access-Control-Allow-Methods")).isEqualTo(urlAndMethods[1]);
            assertThat(header(r, "Access-Control-Max-Age")).isEqualTo("31536000");
            assertThat(header(r, "Cache-Control")).isEqualTo("public, max-age=31536000");
            assertThat(header(r, "Expires")).isNotBlank();
            assertThat(header(r, "Access-Control-Allow-Origin")).isEqualTo("http://a.test");
            assertThat(header(r, "Access-Control-Allow-Credentials")).isEqualTo("true");
            assertThat(header(r, "Access-Control-Allow-Headers")).isEqualTo("x-a, x-b");
        }
    }

    @Test
    void iframePageLoadsTheConfiguredClientAndIsCacheable() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().sockjsUrl("https://cdn.example.test/sockjs-1.1.4.js"));
        HttpResponse<String> r = get(base() + "/iframe.html");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(header(r, "Content-Type")).isEqualTo("text/html; charset=UTF-8");
        assertThat(header(r, "Cache-Control")).isEqualTo("public, max-age=31536000");
        assertThat(header(r, "Expires")).isNotBlank();
        assertThat(header(r, "Last-Modified")).isNull();
        assertThat(header(r, "Set-Cookie")).isNull();
        String etag = header(r, "ETag");
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        assertThat(r.body()).startsWith("<!DOCTYPE html>\n<html>\n<head>\n")
                .contains("<script src=\"https://cdn.example.test/sockjs-1.1.4.js\"></script>")
                .contains("_sockjs_onload = function(){SockJS.bootstrap_iframe();};")
                .endsWith("</body>\n</html>");

        for (String variant : new String[] {"/iframe-a.html", "/iframe-.html", "/iframe-0.1.2.html",
                "/iframe-0.1.2abc-dirty.2144.html", "/iframe-a.html?t=1234"}) {
            HttpResponse<String> v = get(base() + variant);
            assertThat(v.statusCode()).as(variant).isEqualTo(200);
            assertThat(v.body()).isEqualTo(r.body());
            assertThat(header(v, "ETag")).isEqualTo(etag);
        }

        HttpResponse<String> cached = get(base() + "/iframe.html", "If-None-Match", etag);
        assertThat(cached.statusCode()).isEqualTo(304);
        assertThat(cached.body()).isEmpty();
        assertThat(header(cached, "Content-Type")).isNull();
        assertThat(get(base() + "/iframe.html", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);

        for (String invalid : new String[] {"/iframe.htm", "/iframe", "/IFRAME.HTML", "/iframe.HTML", "/iframe.xml",
                "/iframe-/.html"}) {
            assertThat(get(base() + invalid).statusCode()).as(invalid).isEqualTo(404);
        }
    }

    @Test
    void iframePageUsesV1sLibraryUrlWhenSockjsUrlIsEmpty() throws Exception {
        start(NodeConfig.builder(), ServerConfig.builder().sockjsUrl(""));
        assertThat(get(base() + "/iframe.html").body())
                .contains("<script src=\"" + ServerConfig.SOCKJS_LIBRARY_DEFAULT_URL + "\"></script>");
    }

    @Test
    void defaultIframePageLoadsV1sDefaultClientUrl() throws Exception {
        start(25);
        assertThat(get(base() + "/iframe.html").body())
                .contains("<script src=\"//cdn.jsdelivr.net/sockjs/1.1/sockjs.min.js\"></script>");
    }

    @Test
    void otherPathsAre404AndTheRawWebSocketPathIsNotSockJs() throws Exception {
        start(25);
        for (String suffix : new String[] {"/a", "/a.html", "//", "///", "/a/a", "/a/a/", "/a/", "/a./a/xhr",
                "/a/a./xhr", "/./././xhr", "//xhr", "/a/a/unknown"}) {
            assertThat(get(base() + suffix).statusCode()).as(suffix).isEqualTo(404);
        }
        // exact match wins: /connection/websocket stays the raw endpoint (400 without an upgrade)
        HttpResponse<String> raw = get(base() + "/websocket");
        assertThat(raw.statusCode()).isEqualTo(400);
        assertThat(raw.body()).isEqualTo("Bad Request\n");
    }

    @Test
    void wrongMethodsAre405WithAllow() throws Exception {
        start(25);
        HttpResponse<String> r = get(sessionUrl() + "/xhr");
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(header(r, "Allow")).isEqualTo("OPTIONS, POST");
        assertThat(r.body()).isEmpty();
        HttpResponse<String> ws = post(sessionUrl() + "/websocket", "");
        assertThat(ws.statusCode()).isEqualTo(405);
        assertThat(header(ws, "Allow")).isEqualTo("GET");
    }

    @Test
    void sockJsWebsocketWithoutUpgradeIs400() throws Exception {
        start(25);
        HttpResponse<String> r = get(sessionUrl() + "/websocket");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("Can \"Upgrade\" only to \"WebSocket\".");
    }
}
