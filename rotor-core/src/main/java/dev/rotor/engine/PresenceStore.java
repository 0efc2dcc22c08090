package dev.rotor.engine;

import dev.rotor.protocol.ClientInfo;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * Who is in a channel. Thread-safe; every method fails only by completing exceptionally.
 * An unknown channel has empty presence, never an error. A channel, client id or user that is not well-formed UTF-16
 * fails the stage with {@link IllFormedNameException}, as for {@link Broker}.
 */
public interface PresenceStore {

    /** Adds or overwrites the entry of one client; entries may expire after {@code expireSeconds} (engine-specific). */
    CompletionStage<Void> addPresence(String channel, String clientId, ClientInfo info, int expireSeconds);

    /** Removes one client's entry; removing a missing entry succeeds. */
    CompletionStage<Void> removePresence(String channel, String clientId);

    /** A snapshot copy: client id → info. Empty map for an unknown channel. */
    CompletionStage<Map<String, ClientInfo>> presence(String channel);
}
