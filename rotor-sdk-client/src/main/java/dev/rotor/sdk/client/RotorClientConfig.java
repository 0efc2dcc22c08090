package dev.rotor.sdk.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Immutable settings of a {@link RotorClient}, built with {@link #builder(String)}. The names follow centrifuge-js
 * 1.x where it has the same option ({@code insecure}, {@code retry}/{@code maxRetry} as {@link Backoff},
 * {@code resubscribe}, {@code authEndpoint} as {@link ChannelSigner}, {@code refreshEndpoint} as
 * {@link CredentialsProvider}).
 */
public final class RotorClientConfig {
    /** {@link Builder#maxMessageSize}'s default: above the server's default {@code client_queue_max_size} (10 MiB). */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 16 << 20;
    private final URI url;
    private final CredentialsProvider credentials;
    private final boolean insecure;
    private final ChannelSigner channelSigner;
    private final String privateChannelPrefix;
    private final Backoff backoff;
    private final Duration pingInterval;
    private final Duration pongTimeout;
    private final Duration requestTimeout;
    private final Duration connectTimeout;
    private final boolean resubscribe;
    private final Executor callbackExecutor;
    private final HttpClient httpClient;
    private final ConnectionListener listener;
    private final int maxMessageSize;

    private RotorClientConfig(Builder b) {
        url = b.url;
        credentials = b.credentials;
        insecure = b.insecure;
        channelSigner = b.channelSigner;
        privateChannelPrefix = b.privateChannelPrefix;
        backoff = b.backoff;
        pingInterval = b.pingInterval;
        pongTimeout = b.pongTimeout;
        requestTimeout = b.requestTimeout;
        connectTimeout = b.connectTimeout;
        resubscribe = b.resubscribe;
        callbackExecutor = b.callbackExecutor;
        httpClient = b.httpClient;
        listener = b.listener;
        maxMessageSize = b.maxMessageSize;
    }

    /** Settings for the raw WebSocket endpoint at {@code url}, e.g. {@code ws://localhost:8000/connection/websocket}. */
    public static Builder builder(String url) {
        return new Builder(url);
    }

    public URI url() { return url; }
    /** Null only in insecure mode without credentials. */
    public CredentialsProvider credentials() { return credentials; }
    public boolean insecure() { return insecure; }
    /** Null when the application uses no private channels. */
    public ChannelSigner channelSigner() { return channelSigner; }
    public String privateChannelPrefix() { return privateChannelPrefix; }
    public Backoff backoff() { return backoff; }
    /** Zero when client pings are off. */
    public Duration pingInterval() { return pingInterval; }
    public Duration pongTimeout() { return pongTimeout; }
    public Duration requestTimeout() { return requestTimeout; }
    public Duration connectTimeout() { return connectTimeout; }
    public boolean resubscribe() { return resubscribe; }
    /** Null for a private callback thread owned by the client. */
    public Executor callbackExecutor() { return callbackExecutor; }
    /** Null for a private HTTP client. */
    public HttpClient httpClient() { return httpClient; }
    public ConnectionListener listener() { return listener; }
    public int maxMessageSize() { return maxMessageSize; }

    /** Builder for {@link RotorClientConfig}; not thread-safe. */
    public static final class Builder {
        private final URI url;
        private CredentialsProvider credentials;
        private boolean insecure;
        private ChannelSigner channelSigner;
        private String privateChannelPrefix = "$";
        private Backoff backoff = Backoff.DEFAULT;
        private Duration pingInterval = Duration.ofSeconds(25);
        private Duration pongTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private boolean resubscribe = true;
        private Executor callbackExecutor;
        private HttpClient httpClient;
        private ConnectionListener listener = new ConnectionListener() { };
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Builder(String url) {
            URI u = URI.create(Objects.requireNonNull(url, "url"));
            if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme())) {
                throw new IllegalArgumentException("url must be ws:// or wss://, got " + url);
            }
            this.url = u;
        }

        /** Fixed credentials, used for every connect; without a provider the connection cannot be refreshed. */
        public Builder credentials(Credentials c) {
            Objects.requireNonNull(c, "credentials");
            return credentials(() -> CompletableFuture.completedFuture(c));
        }

        /** Asked before every connect attempt and before the connection lifetime runs out. */
        public Builder credentials(CredentialsProvider provider) {
            this.credentials = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** Connects without token and timestamp, for servers with {@code insecure: true}. */
        public Builder insecure(boolean v) {
            this.insecure = v;
            return this;
        }

        public Builder channelSigner(ChannelSigner signer) {
            this.channelSigner = Objects.requireNonNull(signer, "signer");
            return this;
        }

        /** The server's {@code private_channel_prefix}; {@code $} by default. */
        public Builder privateChannelPrefix(String prefix) {
            this.privateChannelPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public Builder backoff(Backoff b) {
            this.backoff = Objects.requireNonNull(b, "backoff");
            return this;
        }

        /** How often to send a {@code ping} command while connected; {@link Duration#ZERO} turns pings off. */
        public Builder pingInterval(Duration d) {
            this.pingInterval = nonNegative(d, "pingInterval");
            return this;
        }

        /** How long a ping may go unanswered before the connection is dropped and re-established. */
        public Builder pongTimeout(Duration d) {
            this.pongTimeout = positive(d, "pongTimeout");
            return this;
        }

        /** How long any command waits for its reply (and the blocking methods at most). */
        public Builder requestTimeout(Duration d) {
            this.requestTimeout = positive(d, "requestTimeout");
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive(d, "connectTimeout");
            return this;
        }

        /** Whether subscriptions are restored after a reconnect; true by default. */
        public Builder resubscribe(boolean v) {
            this.resubscribe = v;
            return this;
        }

        /**
         * Runs every callback and completes every future on this executor. Tasks are handed over one at a time, in
         * order, so a multi-threaded pool still sees them serially. By default the client owns one daemon thread.
         */
        public Builder callbackExecutor(Executor e) {
            this.callbackExecutor = Objects.requireNonNull(e, "executor");
            return this;
        }

        /** Uses this HTTP client for the WebSocket (TLS settings, proxies) instead of a private one. */
        public Builder httpClient(HttpClient c) {
            this.httpClient = Objects.requireNonNull(c, "httpClient");
            return this;
        }

        public Builder listener(ConnectionListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /**
         * The longest WebSocket message taken from the server, in characters (a message of that many UTF-8 bytes
         * always fits); a longer one ends the connection ({@code message too big}, then a reconnect), so a server
         * that sends an endless message cannot fill the heap. {@link #DEFAULT_MAX_MESSAGE_SIZE} by default. The
         * limits a message is parsed within follow it ({@code dev.rotor.protocol.BoundedJson}); a message past one is
         * reported through {@code onError} and dropped.
         */
        public Builder maxMessageSize(int chars) {
            if (chars <= 0) {
                throw new IllegalArgumentException("maxMessageSize must be positive, got " + chars);
            }
            this.maxMessageSize = chars;
            return this;
        }

        public RotorClientConfig build() {
            if (credentials == null && !insecure) {
                throw new IllegalStateException("credentials are required unless insecure(true) is set");
            }
            return new RotorClientConfig(this);
        }

        private static Duration positive(Duration d, String name) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(name + " must be positive, got " + d);
            }
            return d;
        }

        private static Duration nonNegative(Duration d, String name) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + " must not be negative, got " + d);
            }
            return d;
        }
    }
}
