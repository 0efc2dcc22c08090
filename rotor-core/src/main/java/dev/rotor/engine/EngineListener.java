package dev.rotor.engine;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import java.util.Set;

/**
 * Receives what arrives from the engine. Implemented by the node. Called from engine threads (or, for the memory
 * engine, synchronously from the publishing thread); implementations must be thread-safe and must not block.
 */
public interface EngineListener {

    void onMessage(Message message);

    void onJoin(String channel, ClientInfo info);

    void onLeave(String channel, ClientInfo info);

    void onControl(ControlMessage message);

    void onAdmin(ControlMessage message);

    /**
     * The engine's subscriptions to these channels were interrupted (e.g. the Redis PUB/SUB connection dropped) and
     * are now restored; messages published meanwhile may not have been delivered to this node. The node makes the
     * affected clients recover from history. Never called by the memory engine.
     */
    default void onSubscriptionsLost(Set<String> channels) {
    }
}
