package dev.rotor.e2e.browser;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.protocol.Signatures;
import dev.rotor.testkit.NodeScript;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The application side of the browser tests, on a free loopback port: it serves the test page ({@code /}, {@code
 * /scenario.js} from the test resources), the v1 client and sockjs-client from the npm harness' {@code node_modules}
 * ({@code /lib/centrifuge.js}, {@code /lib/sockjs.min.js}; the harness' {@code package-lock.json} pins them), and
 * the private-channel auth endpoint {@code /centrifuge/auth/}, which signs every requested channel with the server
 * secret as a v1 application backend does (client-protocol.md §4).
 *
 * <p>Thread-safe. Requests it could not serve are recorded in {@link #errors()} and answered 500.
 */
final class PageServer implements AutoCloseable {
    static final String CHANNEL_INFO = "{\"role\":\"reader\"}";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer http;
    private final ExecutorService executor = Executors.newFixedThreadPool(4);
    private final String secret;
    private final List<JsonNode> authRequests = new CopyOnWriteArrayList<>();
    private final List<String> errors = new CopyOnWriteArrayList<>();

    PageServer(String secret) throws IOException {
        this.secret = secret;
        Path harness = NodeScript.harnessDir();
        Path centrifuge = harness.resolve("node_modules/centrifuge/centrifuge.js");
        Path sockjs = harness.resolve("node_modules/sockjs-client/dist/sockjs.min.js");
        if (!Files.isRegularFile(sockjs)) {
            throw new IllegalStateException(sockjs + " is missing: run 'npm ci' in " + harness
                    + " (bin/test does) to install the pinned sockjs-client");
        }
        http = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        http.setExecutor(executor);
        http.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().equals("/favicon.ico")) {
                answer(ex, 200, "image/x-icon", new byte[0]);
                return;
            }
            if (!ex.getRequestURI().getPath().equals("/")) {
                answer(ex, 404, "text/plain", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            answer(ex, 200, "text/html; charset=utf-8", resource("browser/index.html"));
        });
        http.createContext("/scenario.js", ex -> answer(ex, 200, "application/javascript; charset=utf-8",
                resource("browser/scenario.js")));
        http.createContext("/lib/centrifuge.js", ex -> answer(ex, 200, "application/javascript; charset=utf-8",
                Files.readAllBytes(centrifuge)));
        http.createContext("/lib/sockjs.min.js", ex -> answer(ex, 200, "application/javascript; charset=utf-8",
                Files.readAllBytes(sockjs)));
        http.createContext("/centrifuge/auth/", this::auth);
        http.start();
    }

    /** The page's origin, e.g. {@code http://127.0.0.1:12345}. */
    String origin() {
        return "http://127.0.0.1:" + http.getAddress().getPort();
    }

    /** The bodies of the auth requests received, in order. */
    List<JsonNode> authRequests() {
        return List.copyOf(authRequests);
    }

    /** Requests that could not be served (each was answered 500). */
    List<String> errors() {
        return List.copyOf(errors);
    }

    /** Answers {@code {"<channel>":{"sign":...,"info":...}}} for each requested channel. */
    private void auth(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            JsonNode request = JSON.readTree(in);
            authRequests.add(request);
            String client = request.path("client").asText();
            ObjectNode reply = JSON.createObjectNode();
            for (JsonNode channel : request.path("channels")) {
                reply.putObject(channel.asText())
                        .put("sign", Signatures.channelSign(secret, client, channel.asText(), CHANNEL_INFO))
                        .put("info", CHANNEL_INFO);
            }
            answer(ex, 200, "application/json", reply.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            errors.add("auth request failed: " + e);
            answer(ex, 500, "text/plain", e.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    private byte[] resource(String name) {
        try (InputStream in = PageServer.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("test resource " + name + " is missing");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void answer(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        http.stop(0);
        executor.shutdownNow();
    }
}
