package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Checks the request {@link ApiTestClient} sends, against the JDK HTTP server on 127.0.0.1. */
class ApiTestClientIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<String[]> requests = new CopyOnWriteArrayList<>();
    private volatile int status = 200;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/api/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new String[] {body, exchange.getRequestHeaders().getFirst("X-API-Sign"),
                    exchange.getRequestHeaders().getFirst("Content-Type")});
            byte[] reply = "[{\"method\":\"publish\",\"error\":null,\"body\":null}]".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ApiTestClient client() {
        return new ApiTestClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/"), "secret");
    }

    @Test
    void hmacMatchesTheKnownSha256Vector() {
        // RFC 4231 test case 2.
        assertThat(ApiTestClient.hmacSha256Hex("Jefe", "what do ya want for nothing?"))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void publishSendsSignedJsonCommand() throws Exception {
        JsonNode reply = client().publish("news", "{\"text\": \"hi\"}", "m1");

        assertThat(reply.path("method").asText()).isEqualTo("publish");
        String[] request = requests.get(0);
        assertThat(JSON.readTree(request[0])).isEqualTo(JSON.readTree(
                "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"text\":\"hi\"},\"uid\":\"m1\"}}"));
        assertThat(request[1]).isEqualTo(ApiTestClient.hmacSha256Hex("secret", request[0]));
        assertThat(request[2]).isEqualTo("application/json");
    }

    @Test
    void nonOkStatusFailsTheCall() {
        status = 401;

        assertThatThrownBy(() -> client().call("{}"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("answered 401");
    }
}
