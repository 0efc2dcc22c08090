package dev.rotor.sdk.client;

import java.util.concurrent.CompletableFuture;

/**
 * Where the client gets fresh {@link Credentials}, typically from the application backend (the Java counterpart of
 * centrifuge-js's {@code refreshEndpoint}). The client asks before every connect attempt and before the connection
 * lifetime ({@code ttl}) runs out, then sends {@code refresh} with the answer.
 *
 * <p>Implementations must be thread-safe and must not block: return a future and complete it later. A future that
 * fails makes the current attempt fail (the client then backs off and retries, see {@link Backoff}).
 */
@FunctionalInterface
public interface CredentialsProvider {
    CompletableFuture<Credentials> credentials();
}
