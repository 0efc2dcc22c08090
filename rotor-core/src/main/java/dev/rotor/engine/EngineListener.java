package dev.rotor.engine;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;

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
}
