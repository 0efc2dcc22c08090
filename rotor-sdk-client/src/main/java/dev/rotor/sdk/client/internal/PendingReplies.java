package dev.rotor.sdk.client.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.sdk.client.RotorClientException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Commands sent and waiting for their reply, keyed by command uid (client-protocol.md §2.3: the server echoes
 * {@code uid}). Uids are decimal counters, unique per client. Thread-safe. Futures are completed outside the lock,
 * on the calling thread: a reply without {@code error} completes with its {@code body} (a missing body as
 * {@code null}), an error reply fails with {@link RotorClientException.ServerError}.
 */
final class PendingReplies {
    /** Guarded by {@code this}. */
    private final Map<String, CompletableFuture<JsonNode>> waiting = new HashMap<>();
    /** Guarded by {@code this}; the last uid handed out. */
    private long lastUid;

    /** A fresh uid and the future its reply completes. */
    synchronized Registration register() {
        String uid = Long.toString(++lastUid);
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waiting.put(uid, f);
        return new Registration(uid, f);
    }

    record Registration(String uid, CompletableFuture<JsonNode> reply) {
    }

    /**
     * Completes the command the reply belongs to. Returns false when no command waits for that uid (an unknown,
     * missing or already timed-out uid): the caller treats the frame as unsolicited.
     */
    boolean complete(JsonNode reply) {
        JsonNode uidNode = reply.get("uid");
        if (uidNode == null || !uidNode.isTextual()) {
            return false;
        }
        CompletableFuture<JsonNode> f;
        synchronized (this) {
            f = waiting.remove(uidNode.asText());
        }
        if (f == null) {
            return false;
        }
        JsonNode error = reply.get("error");
        if (error != null && !error.isNull() && !error.asText().isEmpty()) {
            JsonNode advice = reply.get("advice");
            f.completeExceptionally(new RotorClientException.ServerError(reply.path("method").asText(),
                    error.asText(), advice == null || advice.isNull() ? null : advice.asText()));
        } else {
            JsonNode body = reply.get("body");
            f.complete(body == null || body.isNull() ? null : body);
        }
        return true;
    }

    /** True while the command {@code uid} waits for its reply (it has neither been answered nor failed). */
    synchronized boolean isWaiting(String uid) {
        return waiting.containsKey(uid);
    }

    /** Fails one command (timeout, send failure); no-op if it already completed. */
    void fail(String uid, RotorClientException e) {
        CompletableFuture<JsonNode> f;
        synchronized (this) {
            f = waiting.remove(uid);
        }
        if (f != null) {
            f.completeExceptionally(e);
        }
    }

    /** Fails every waiting command, e.g. when the connection is lost. */
    void failAll(RotorClientException e) {
        List<CompletableFuture<JsonNode>> all;
        synchronized (this) {
            all = new ArrayList<>(waiting.values());
            waiting.clear();
        }
        all.forEach(f -> f.completeExceptionally(e));
    }

    synchronized int size() {
        return waiting.size();
    }
}
