package dev.rotor.sdk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.protocol.BoundedBody;
import dev.rotor.protocol.BoundedJson;
import dev.rotor.protocol.JsonWriter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ChannelSigner} that asks the application backend over HTTP, the way centrifuge-js 1.x uses its
 * {@code authEndpoint}: it POSTs {@code {"client":"<client id>","channels":["$a","$b"]}} as JSON (with the configured
 * headers), one request for all channels subscribed together, and expects {@code 200} with
 * {@code {"$a":{"sign":"<hex>","info":"<json string>"},"$b":...}}. A channel entry with {@code "status"} other than
 * 200 or without a sign fails that subscription; another HTTP status fails them all. Thread-safe.
 */
public final class HttpChannelSigner implements ChannelSigner {
    /** {@link Builder#maxResponseSize}'s default. */
    public static final int DEFAULT_MAX_RESPONSE_SIZE = 1 << 20;

    private final URI endpoint;
    /** Parses answers within {@link BoundedJson}'s constraints for {@code maxResponseSize}. */
    private final ObjectMapper json;
    private final Map<String, String> headers;
    private final HttpClient http;
    private final Duration timeout;
    private final HttpResponse.BodyHandler<String> bodies;

    private HttpChannelSigner(Builder b) {
        this.endpoint = b.endpoint;
        this.headers = Map.copyOf(b.headers);
        this.timeout = b.timeout;
        this.bodies = BoundedBody.ofString(b.maxResponseSize, b.timeout);
        this.json = BoundedJson.mapper(b.maxResponseSize);
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.timeout).build();
    }

    /** A signer posting to {@code endpoint}, e.g. {@code https://app.example.com/centrifuge/auth/}. */
    public static Builder builder(String endpoint) {
        return new Builder(URI.create(Objects.requireNonNull(endpoint, "endpoint")));
    }

    @Override
    public CompletableFuture<ChannelSign> sign(String clientId, String channel) {
        return signAll(clientId, List.of(channel)).thenApply(signs -> {
            ChannelSign s = signs.get(channel);
            if (s == null) {
                throw new RotorClientException("auth endpoint " + endpoint + " returned no sign for " + channel);
            }
            return s;
        });
    }

    /** One request for every channel; channels refused or left out by the backend are absent from the result. */
    @Override
    public CompletableFuture<Map<String, ChannelSign>> signAll(String clientId, List<String> channels) {
        JsonWriter body = new JsonWriter(64);
        body.raw('{').key("client").string(clientId).raw(',').key("channels")
                .array(channels, JsonWriter::string).raw('}');
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), bodies).handle((response, error) -> {
            if (error != null) {
                throw new RotorClientException("auth request to " + endpoint + " failed: " + error, error);
            }
            if (response.statusCode() != 200) {
                throw new RotorClientException("auth endpoint " + endpoint + " answered " + response.statusCode());
            }
            return parse(response.body(), channels);
        });
    }

    private Map<String, ChannelSign> parse(String body, List<String> channels) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (IOException e) {
            String limit = BoundedJson.limitExceeded(e);
            throw new RotorClientException("auth endpoint " + endpoint + (limit != null
                    ? " returned JSON past a parse limit: " + limit : " returned invalid JSON"), e);
        }
        Map<String, ChannelSign> out = new LinkedHashMap<>();
        for (String channel : channels) {
            JsonNode entry = root == null ? null : root.get(channel);
            if (entry == null || (entry.has("status") && entry.path("status").asInt() != 200)) {
                continue;
            }
            JsonNode sign = entry.get("sign");
            if (sign != null && sign.isTextual()) {
                JsonNode info = entry.get("info");
                out.put(channel, new ChannelSign(sign.asText(), info == null || info.isNull() ? ""
                        : info.isTextual() ? info.asText() : info.toString()));
            }
        }
        return out;
    }

    /** Builder for {@link HttpChannelSigner}; not thread-safe. */
    public static final class Builder {
        private final URI endpoint;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpClient http;
        private Duration timeout = Duration.ofSeconds(10);
        private int maxResponseSize = DEFAULT_MAX_RESPONSE_SIZE;

        private Builder(URI endpoint) {
            this.endpoint = endpoint;
        }

        /** A header sent with every auth request (centrifuge-js's {@code authHeaders}), e.g. a session cookie. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Request (and connect) timeout, 10 seconds by default; the body must then arrive within it again. */
        public Builder timeout(Duration d) {
            this.timeout = Objects.requireNonNull(d, "timeout");
            return this;
        }

        /**
         * The largest answer accepted, in bytes; a larger one fails the request (and so its subscriptions). 1 MiB by
         * default: some 5,000 channels' signs. The limits an answer is parsed within follow it ({@link BoundedJson}).
         */
        public Builder maxResponseSize(int bytes) {
            if (bytes <= 0) {
                throw new IllegalArgumentException("maxResponseSize must be positive, got " + bytes);
            }
            this.maxResponseSize = bytes;
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.http = Objects.requireNonNull(client, "client");
            return this;
        }

        public HttpChannelSigner build() {
            return new HttpChannelSigner(this);
        }
    }
}
