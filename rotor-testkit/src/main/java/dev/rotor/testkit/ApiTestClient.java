package dev.rotor.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A minimal client of the v1 HTTP API for tests (http-api.md): posts a JSON body signed with the {@code X-API-Sign}
 * header, {@code hex(HMAC-SHA256(secret, body))}, and checks the status. Test code only; the real API client is
 * {@code rotor-sdk-api}.
 *
 * <p>Thread-safe (immutable; {@link HttpClient} is thread-safe).
 */
public final class ApiTestClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final URI endpoint;
    private final String secret;
    private final HttpClient http;

    /**
     * @param endpoint the API URL including the trailing slash, e.g. {@code http://127.0.0.1:8000/api/}
     * @param secret   the server's {@code secret}
     */
    public ApiTestClient(URI endpoint, String secret) {
        this.endpoint = endpoint;
        this.secret = secret;
        // HTTP/1.1 like v1's API clients; the JDK's default would add an "Upgrade: h2c" offer to every request.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(TIMEOUT).build();
    }

    /** {@code lowercase hex(HMAC-SHA256(key, message))} over UTF-8 bytes, as v1 computes tokens and signs. */
    public static String hmacSha256Hex(String key, String message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /** Posts {@code body} as {@code application/json} with a correct {@code X-API-Sign} and returns the response. */
    public HttpResponse<String> post(String body) {
        HttpRequest request = HttpRequest.newBuilder(endpoint)
                .timeout(TIMEOUT)
                .header("Content-Type", "application/json")
                .header("X-API-Sign", hmacSha256Hex(secret, body))
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("HTTP API request to " + endpoint + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted calling " + endpoint, e);
        }
    }

    /** Posts {@code body}, asserts HTTP 200 and returns the parsed reply array. */
    public JsonNode call(String body) {
        HttpResponse<String> response = post(body);
        if (response.statusCode() != 200) {
            throw new AssertionError("HTTP API answered " + response.statusCode() + " to " + body + ": "
                    + response.body());
        }
        try {
            return JSON.readTree(response.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError("HTTP API reply is not JSON: " + response.body(), e);
        }
    }

    /**
     * Publishes {@code dataJson} (any JSON value) into {@code channel} with a server-generated uid and asserts the
     * reply has no error.
     */
    public JsonNode publish(String channel, String dataJson) {
        return publish(channel, dataJson, null);
    }

    /** Publishes with an explicit message uid (http-api.md §4.1), so tests can assert exact messages. */
    public JsonNode publish(String channel, String dataJson, String uid) {
        ObjectNode params = JSON.createObjectNode().put("channel", channel);
        try {
            params.set("data", JSON.readTree(dataJson));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("data is not JSON: " + dataJson, e);
        }
        if (uid != null) {
            params.put("uid", uid);
        }
        ObjectNode command = JSON.createObjectNode().put("method", "publish");
        command.set("params", params);
        JsonNode reply = call(command.toString());
        JsonNode first = reply.path(0);
        if (!first.path("error").isNull()) {
            throw new AssertionError("publish into " + channel + " failed: " + reply);
        }
        return first;
    }
}
