package dev.rotor.sdk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.sdk.api.Tokens;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An application backend's private-channel auth endpoint on loopback (the JDK HTTP server), answering the way
 * centrifuge-js 1.x expects: {@code {"<channel>":{"sign":..,"info":..}}} for every requested channel, signed with
 * the project secret. Records each request. Thread-safe.
 */
final class AuthBackend implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    record Request(String body, String session) {
    }

    final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer http;

    AuthBackend(String secret, String info) throws IOException {
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/centrifuge/auth/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(body, exchange.getRequestHeaders().getFirst("X-Session")));
            JsonNode request = MAPPER.readTree(body);
            String client = request.path("client").asText();
            JsonWriter w = new JsonWriter();
            w.raw('{');
            boolean first = true;
            for (JsonNode channel : request.path("channels")) {
                if (!first) {
                    w.raw(',');
                }
                first = false;
                String ch = channel.asText();
                w.string(ch).raw(':').raw('{').key("sign").string(Tokens.channelSign(secret, client, ch, info))
                        .raw(',').key("info").string(info).raw('}');
            }
            byte[] out = w.raw('}').toByteArray();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(out);
            }
        });
        http.start();
    }

    String url() {
        return "http://127.0.0.1:" + http.getAddress().getPort() + "/centrifuge/auth/";
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
