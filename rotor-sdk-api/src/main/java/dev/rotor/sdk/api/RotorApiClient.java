package dev.rotor.sdk.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.rotor.protocol.BoundedBody;
import dev.rotor.protocol.BoundedJson;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Signatures;
import dev.rotor.protocol.TreeDecoding;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Client for the server HTTP API of Rotor or Centrifugo v1 (http-api.md): every request is a signed JSON array
 * POSTed to {@code <base>/api/}, exactly as gocent sends it (gocent-wire.md). Single-command methods fail their
 * future with {@link RotorApiException}; {@link #batch()} sends several commands in one request.
 *
 * <p>Thread-safe; share one instance. Every method is asynchronous; call {@code join()} for a blocking result.
 *
 * <pre>{@code
 * RotorApiClient api = RotorApiClient.builder("http://localhost:8000", secret).build();
 * api.publish("news", "{\"text\":\"hello\"}").join();
 * }</pre>
 */
public final class RotorApiClient {
    /** {@link Builder#maxResponseSize}'s default. */
    public static final int DEFAULT_MAX_RESPONSE_SIZE = 64 << 20;

    private final URI endpoint;
    private final String secret;
    private final boolean insecure;
    private final HttpClient http;
    private final Duration timeout;
    private final HttpResponse.BodyHandler<String> bodies;
    /** Parses answers within {@link BoundedJson}'s constraints for {@code maxResponseSize}. */
    private final ObjectMapper json;

    private RotorApiClient(Builder b) {
        this.endpoint = apiEndpoint(b.address);
        this.secret = b.secret;
        this.insecure = b.insecure;
        this.timeout = b.timeout;
        this.bodies = BoundedBody.ofString(b.maxResponseSize, b.timeout);
        this.json = BoundedJson.mapper(b.maxResponseSize);
        this.http = b.http != null ? b.http
                : HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(b.timeout).build();
    }

    /** A client for the server at {@code address} (e.g. {@code http://localhost:8000}) signing with {@code secret}. */
    public static Builder builder(String address, String secret) {
        return new Builder(address, secret);
    }

    /**
     * Like gocent: strips trailing slashes, appends {@code /api} unless present, then {@code /}
     * ({@code http://h:8000} → {@code http://h:8000/api/}).
     */
    static URI apiEndpoint(String address) {
        String a = address;
        while (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        if (!a.endsWith("/api")) {
            a = a + "/api";
        }
        return URI.create(a + "/");
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A new, empty batch bound to this client. */
    public Batch batch() {
        return new Batch(this);
    }

    public CompletableFuture<Void> publish(String channel, String data) {
        return single(batch().publish(channel, data)).thenApply(r -> null);
    }

    public CompletableFuture<Void> publish(String channel, String data, String clientId) {
        return single(batch().publish(channel, data, clientId)).thenApply(r -> null);
    }

    public CompletableFuture<Void> broadcast(List<String> channels, String data) {
        return single(batch().broadcast(channels, data)).thenApply(r -> null);
    }

    public CompletableFuture<Void> unsubscribe(String channel, String user) {
        return single(batch().unsubscribe(channel, user)).thenApply(r -> null);
    }

    public CompletableFuture<Void> disconnect(String user) {
        return single(batch().disconnect(user)).thenApply(r -> null);
    }

    /** Client id → client info of everyone in the channel. */
    public CompletableFuture<Map<String, ClientInfo>> presence(String channel) {
        return single(batch().presence(channel)).thenApply(body -> TreeDecoding.presence(body.get("data")));
    }

    /** The channel's history, newest first. */
    public CompletableFuture<List<Message>> history(String channel) {
        return single(batch().history(channel)).thenApply(body -> TreeDecoding.messages(body.get("data")));
    }

    /** Channels with at least one subscriber. */
    public CompletableFuture<List<String>> channels() {
        return single(batch().channels()).thenApply(body -> {
            List<String> out = new ArrayList<>();
            body.path("data").forEach(n -> out.add(n.asText()));
            return out;
        });
    }

    /** Every live node with its metrics. */
    public CompletableFuture<List<NodeStats>> stats() {
        return single(batch().stats()).thenApply(body -> {
            List<NodeStats> out = new ArrayList<>();
            for (JsonNode n : body.path("data").path("nodes")) {
                Map<String, Long> metrics = new LinkedHashMap<>();
                n.path("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asLong()));
                out.add(new NodeStats(n.path("uid").asText(), n.path("version").asText(), n.path("name").asText(),
                        n.path("started_at").asLong(), metrics));
            }
            return out;
        });
    }

    private static CompletableFuture<JsonNode> single(Batch batch) {
        return batch.send().thenApply(results -> results.get(0).bodyOrThrow());
    }

    /** Posts a command array and parses one result per command. */
    CompletableFuture<List<ApiResult>> post(byte[] body, int expected) {
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (!insecure) {
            request.header("X-API-Sign", Signatures.apiSign(secret, body));
        }
        return http.sendAsync(request.build(), bodies)
                .handle((response, error) -> {
                    if (error != null) {
                        throw new RotorApiException("API request to " + endpoint + " failed: " + error, error);
                    }
                    if (response.statusCode() != 200) {
                        throw new RotorApiException.HttpStatus(response.statusCode(), response.body());
                    }
                    return parse(response.body(), expected);
                });
    }

    private List<ApiResult> parse(String body, int expected) {
        JsonNode array;
        try {
            array = json.readTree(body);
        } catch (IOException e) {
            String limit = BoundedJson.limitExceeded(e);
            if (limit != null) {
                throw new RotorApiException("response from server past a parse limit: " + limit, e);
            }
            throw new RotorApiException("malformed response returned from server", e);
        }
        if (array == null || !array.isArray() || array.size() != expected) {
            throw new RotorApiException("malformed response returned from server: " + excerpt(body));
        }
        List<ApiResult> results = new ArrayList<>(expected);
        for (JsonNode r : array) {
            JsonNode error = r.get("error");
            JsonNode advice = r.get("advice");
            results.add(new ApiResult(r.path("method").asText(),
                    error == null || error.isNull() ? null : error.asText(),
                    advice == null || advice.isNull() ? null : advice.asText(),
                    r.has("body") ? r.get("body") : NullNode.getInstance()));
        }
        return results;
    }

    /** The start of a body for an error message: a malformed answer may be large. */
    static String excerpt(String body) {
        return body.length() <= 200 ? body : body.substring(0, 200) + "… (" + body.length() + " characters)";
    }

    /** Builder for {@link RotorApiClient}; not thread-safe. */
    public static final class Builder {
        private final String address;
        private final String secret;
        private boolean insecure;
        private HttpClient http;
        private Duration timeout = Duration.ofSeconds(10);
        private int maxResponseSize = DEFAULT_MAX_RESPONSE_SIZE;

        private Builder(String address, String secret) {
            this.address = Objects.requireNonNull(address, "address");
            this.secret = Objects.requireNonNull(secret, "secret");
        }

        /** Sends no signature, for servers running with {@code insecure_api}. */
        public Builder insecure() {
            this.insecure = true;
            return this;
        }

        /**
         * Request (and connect) timeout; 10 seconds by default. The response's body must then arrive within the same
         * time again after its headers.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * The largest response body accepted, in bytes; a larger one fails the request. 64 MiB by default, the
         * server's largest request body: answers are rarely larger than their request unless they carry history.
         * The limits an answer is parsed within follow it ({@link BoundedJson}); an answer past one fails the
         * request.
         */
        public Builder maxResponseSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxResponseSize must be positive, got " + bytes);
            }
            this.maxResponseSize = bytes;
            return this;
        }

        /** Uses this HTTP client (TLS settings, proxies, executor) instead of a private one. */
        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        public RotorApiClient build() {
            return new RotorApiClient(this);
        }
    }
}
