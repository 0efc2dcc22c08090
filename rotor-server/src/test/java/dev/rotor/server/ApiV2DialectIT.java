package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.auth.Hmac;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Beyond v1: the Centrifugo v2 HTTP API dialect of the newer Ruby {@code cent} gem (rubycent-wire.md), next to
 * v1's signed dialect on the same server. Requests are written byte for byte as the gem (v2.2.0 on Faraday 1.1,
 * net_http) sends them, with the spec's headers in its order plus {@code Host}, over a raw socket.
 */
class ApiV2DialectIT extends ProtocolSupport {
    private static final String KEY = "api-key-1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UID = Pattern.compile("\"uid\":\"([^\"]+)\"");

    /** Status line, headers (lower-case names) and body of one raw response. */
    record Raw(int status, String head, String body) {
        String header(String name) {
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private static NodeConfig.Builder v2Config() {
        return config().apiKey(KEY)
                .topLevel(ChannelOptions.builder().presence(true).historySize(10).historyLifetime(60).build())
                .namespace("public", ChannelOptions.builder().build());
    }

    /** The gem's request: POST /api, its headers in its order, a compact {"method":..,"params":..} body. */
    private Raw gem(String method, String params) throws IOException {
        return gem("POST", "/api", "apikey " + KEY, "{\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    private Raw gem(String verb, String path, String authorization, String body) throws IOException {
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        String head = verb + " " + path + " HTTP/1.1\r\n"
                + "Content-Type: application/json\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "User-Agent: Faraday v1.1.0\r\n"
                + "Accept-Encoding: gzip;q=1.0,deflate;q=0.6,identity;q=0.3\r\n"
                + "Accept: */*\r\n"
                + "Host: 127.0.0.1:" + server.server().boundApiPort() + "\r\n"
                + "Content-Length: " + payload.length + "\r\n\r\n";
        return raw(head, payload);
    }

    private Raw raw(String head, byte[] payload) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.server().boundApiPort())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(payload);
            out.flush();
            InputStream in = s.getInputStream();
            String responseHead = RawHttp.readHead(in);
            Raw parsed = new Raw(Integer.parseInt(responseHead.substring(9, 12)), responseHead, "");
            // the gem's requests are keep-alive: read exactly Content-Length bytes, as Faraday does
            String length = parsed.header("content-length");
            assertThat(length).as("Content-Length in %s", responseHead).isNotNull();
            byte[] body = in.readNBytes(Integer.parseInt(length));
            return new Raw(parsed.status(), responseHead, new String(body, StandardCharsets.UTF_8));
        }
    }

    private static void assertJson(Raw r, String body) {
        assertThat(r.status()).as(r.head() + r.body()).isEqualTo(200);
        assertThat(r.header("content-type")).isEqualTo("application/json");
        assertThat(r.body()).isEqualTo(body);
        assertThat(r.header("content-length")).isEqualTo(Integer.toString(body.getBytes(StandardCharsets.UTF_8).length));
    }

    private static void assertEmpty(Raw r, int status) {
        assertThat(r.status()).as(r.head() + r.body()).isEqualTo(status);
        assertThat(r.body()).isEmpty();
    }

    @Test
    void everyGemMethodGetsTheV2ReplyByteForByte() throws Exception {
        start(v2Config());
        Client c = connect("42", "{\"name\":\"A\"}");
        c.call(subscribe("s", "chat"));

        assertJson(gem("publish", "{\"channel\":\"chat\",\"data\":\"hello\"}"), "{}");
        String first = c.next();
        assertJson(gem("broadcast", "{\"channels\":[\"chat\",\"public:b\"],\"data\":{\"text\":\"hi!\"}}"), "{}");
        String second = c.next();
        assertThat(first).contains("\"data\":\"hello\"");
        assertThat(second).contains("\"data\":{\"text\":\"hi!\"}");

        assertJson(gem("presence", "{\"channel\":\"chat\"}"), "{\"result\":{\"presence\":{\"" + c.id()
                + "\":{\"client\":\"" + c.id() + "\",\"user\":\"42\",\"conn_info\":{\"name\":\"A\"}}}}}");
        assertJson(gem("presence_stats", "{\"channel\":\"chat\"}"), "{\"result\":{\"num_clients\":1,\"num_users\":1}}");
        assertJson(gem("history", "{\"channel\":\"chat\"}"), "{\"result\":{\"publications\":["
                + "{\"data\":{\"text\":\"hi!\"},\"uid\":\"" + uid(second) + "\"},"
                + "{\"data\":\"hello\",\"uid\":\"" + uid(first) + "\"}]}}");
        assertJson(gem("channels", "{}"), "{\"result\":{\"channels\":[\"chat\"]}}");

        Raw info = gem("info", "{}");
        assertThat(info.status()).isEqualTo(200);
        JsonNode node = JSON.readTree(info.body()).get("result").get("nodes").get(0);
        List<String> keys = new ArrayList<>();
        node.fieldNames().forEachRemaining(keys::add);
        assertThat(keys).containsExactly("uid", "name", "version", "num_clients", "num_users", "num_channels",
                "uptime");
        assertThat(node.get("uid").asText()).isEqualTo(server.server().node().info().uid());
        assertThat(node.get("name").asText()).isEqualTo(server.server().node().config().name());
        assertThat(node.get("num_clients").asLong()).isEqualTo(1);
        assertThat(node.get("num_users").asLong()).isEqualTo(1);
        assertThat(node.get("num_channels").asLong()).isEqualTo(1);
        assertThat(node.get("uptime").isIntegralNumber()).isTrue();

        assertJson(gem("unsubscribe", "{\"channel\":\"chat\",\"user\":\"42\"}"), "{}");
        assertThat(c.next()).isEqualTo("{\"method\":\"unsubscribe\",\"body\":{\"channel\":\"chat\",\"status\":true}}");
        assertJson(gem("disconnect", "{\"user\":\"42\"}"), "{}");
        assertThat(c.awaitClose().reason()).isEqualTo(advice("disconnect", false));
    }

    @Test
    void wrongOrMissingKeyIs401WithAnEmptyBody() throws Exception {
        start(v2Config());
        assertEmpty(gem("POST", "/api", "apikey wrong", "{\"method\":\"channels\",\"params\":{}}"), 401);
        assertEmpty(gem("POST", "/api", "apikey", "{\"method\":\"channels\",\"params\":{}}"), 401);
        assertEmpty(gem("POST", "/api", "apikey " + KEY + " extra", "{\"method\":\"channels\",\"params\":{}}"), 401);
        assertJson(gem("POST", "/api", "APIKEY " + KEY, "{\"method\":\"channels\",\"params\":{}}"),
                "{\"result\":{\"channels\":[]}}");
    }

    @Test
    void withoutApiKeyConfiguredEveryV2RequestIs401UnlessInsecureApi() throws Exception {
        start(v2Config().apiKey(""));
        assertEmpty(gem("POST", "/api", "apikey ", "{\"method\":\"channels\",\"params\":{}}"), 401);
        assertEmpty(gem("POST", "/api", "apikey anything", "{\"method\":\"channels\",\"params\":{}}"), 401);
        server.close();
        server = null;
        start(v2Config().apiKey("").insecureApi(true));
        assertJson(gem("POST", "/api", "apikey anything", "{\"method\":\"channels\",\"params\":{}}"),
                "{\"result\":{\"channels\":[]}}");
    }

    @Test
    void badMethodsAndBodiesGetTheirStatus() throws Exception {
        start(v2Config());
        assertEmpty(gem("GET", "/api", "apikey " + KEY, ""), 405);
        assertThat(gem("POST", "/api", "apikey " + KEY, "").status()).isEqualTo(400);
        assertThat(gem("POST", "/api", "apikey " + KEY, "[{\"method\":\"channels\"}]").status()).isEqualTo(400);
        assertThat(gem("POST", "/api", "apikey " + KEY, "{\"method\":").status()).isEqualTo(400);
        // a command error is still a 200 with the error object
        assertJson(gem("foo", "{}"), "{\"error\":{\"code\":104,\"message\":\"method not found\"}}");
        // whitespace around the one object is fine
        assertJson(gem("POST", "/api", "apikey " + KEY, " {\"method\":\"channels\",\"params\":{}}\n"),
                "{\"result\":{\"channels\":[]}}");
    }

    @Test
    void v1DialectIsUnchangedOnTheSameServer() throws Exception {
        start(v2Config());
        String body = "[{\"method\":\"publish\",\"params\":{\"channel\":\"chat\",\"data\":1}},{\"method\":\"channels\"}]";
        String sign = Hmac.apiSign(TestServer.SECRET, body.getBytes(StandardCharsets.UTF_8));
        byte[] payload = body.getBytes(StandardCharsets.UTF_8);
        Raw v1 = raw("POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-API-Sign: " + sign
                + "\r\nConnection: close\r\nContent-Length: " + payload.length + "\r\n\r\n", payload);
        assertJson(v1, "[{\"method\":\"publish\",\"error\":null,\"body\":null},"
                + "{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");

        // X-API-Sign wins over an apikey header: the request is v1, signed or not
        Raw both = raw("POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-API-Sign: " + sign
                + "\r\nAuthorization: apikey " + KEY + "\r\nConnection: close\r\nContent-Length: " + payload.length
                + "\r\n\r\n", payload);
        assertThat(both.body()).startsWith("[{\"method\":\"publish\"");

        // v2-only methods stay unknown to v1: 400 as in v1.8.0
        assertThat(server.api("{\"method\":\"presence_stats\",\"params\":{\"channel\":\"chat\"}}").statusCode())
                .isEqualTo(400);
        assertThat(server.api("{\"method\":\"info\"}").statusCode()).isEqualTo(400);

        // the gem's path with the slash also speaks v2
        assertJson(gem("POST", "/api/", "apikey " + KEY, "{\"method\":\"channels\",\"params\":{}}"),
                "{\"result\":{\"channels\":[]}}");
        // without the apikey scheme, /api stays v1's redirect, with an empty body for a POST as Go sends it
        Raw redirect = gem("POST", "/api", "Bearer " + KEY, "{\"method\":\"channels\",\"params\":{}}");
        assertThat(redirect.status()).isEqualTo(301);
        assertThat(redirect.header("location")).isEqualTo("/api/");
        assertThat(redirect.header("content-length")).isEqualTo("0");
        assertThat(redirect.body()).isEmpty();
        // a GET keeps Go's small HTML body
        Raw get = gem("GET", "/api", null, "");
        assertThat(get.status()).isEqualTo(301);
        assertThat(get.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(get.body()).isEqualTo("<a href=\"/api/\">Moved Permanently</a>.\n\n");
        // an apikey header on /api/<anything> is not the v2 dialect: v1 wants its signature there
        assertThat(gem("POST", "/api/x", "apikey " + KEY, "{\"method\":\"channels\",\"params\":{}}").status())
                .isEqualTo(400);
    }

    private static String uid(String push) {
        Matcher m = UID.matcher(push.substring(push.indexOf("\"body\"")));
        assertThat(m.find()).as(push).isTrue();
        return m.group(1);
    }
}
