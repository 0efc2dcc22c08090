package dev.rotor.sdk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
 * {@code authEndpoint}: it POSTs {@code {"client":"<client id>","channels":["$chan"]}} as JSON (with the configured
 * headers) and expects {@code 200} with {@code {"$chan":{"sign":"<hex>","info":"<json string>"}}}. A channel entry
 * with {@code "status"} other than 200, a missing sign or another HTTP status fails the subscription. Thread-safe.
 */
public final class HttpChannelSigner implements ChannelSigner {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI endpoint;
    private final Map<String, String> headers;
    private final HttpClient http;
    private final Duration timeout;

    private HttpChannelSigner(Builder b) {
        this.endpoint = b.endpoint;
        this.headers = Map.copyOf(b.headers);
        this.timeout = b.timeout;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.timeout).build();
    }

    /** A signer posting to {@code endpoint}, e.g. {@code https://app.example.com/centrifuge/auth/}. */
    public static Builder builder(String endpoint) {
        return new Builder(URI.create(Objects.requireNonNull(endpoint, "endpoint")));
    }

    @Override
    public CompletableFuture<ChannelSign> sign(String clientId, String channel) {
        JsonWriter body = new JsonWriter(64);
        body.raw('{').key("client").string(clientId).raw(',').key("channels")
                .array(List.of(channel), JsonWriter::string).raw('}');
        HttpRequest.Builder request = HttpRequest.newBuilder(endpoint).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()));
        headers.forEach(request::header);
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).handle((response, error) -> {
            if (error != null) {
                throw new RotorClientException("auth request to " + endpoint + " failed: " + error, error);
            }
            if (response.statusCode() != 200) {
                throw new RotorClientException("auth endpoint " + endpoint + " answered " + response.statusCode());
            }
            return parse(response.body(), channel);
        });
    }

    private ChannelSign parse(String body, String channel) {
        JsonNode entry;
        try {
            entry = MAPPER.readTree(body).path(channel);
        } catch (IOException e) {
            throw new RotorClientException("auth endpoint " + endpoint + " returned invalid JSON", e);
        }
        if (entry.has("status") && entry.path("status").asInt() != 200) {
            throw new RotorClientException("auth endpoint refused " + channel + " with status "
                    + entry.path("status").asInt());
        }
        JsonNode sign = entry.get("sign");
        if (sign == null || !sign.isTextual()) {
            throw new RotorClientException("auth endpoint " + endpoint + " returned no sign for " + channel);
        }
        JsonNode info = entry.get("info");
        return new ChannelSign(sign.asText(), info == null || info.isNull() ? "" : info.isTextual() ? info.asText()
                : info.toString());
    }

    /** Builder for {@link HttpChannelSigner}; not thread-safe. */
    public static final class Builder {
        private final URI endpoint;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private HttpClient http;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder(URI endpoint) {
            this.endpoint = endpoint;
        }

        /** A header sent with every auth request (centrifuge-js's {@code authHeaders}), e.g. a session cookie. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder timeout(Duration d) {
            this.timeout = Objects.requireNonNull(d, "timeout");
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
