package dev.rotor.engine;

import dev.rotor.protocol.ControlMessage;
import java.util.concurrent.CompletionStage;

/**
 * Carries node-to-node messages: control messages (node pings, API unsubscribe and disconnect) and admin
 * messages (for admin watchers). Every node, the sender included, receives each message once through
 * {@link EngineListener#onControl} or {@link EngineListener#onAdmin}. Thread-safe; fails only by completing
 * exceptionally.
 */
public interface ControlBus {

    CompletionStage<Void> publishControl(ControlMessage message);

    CompletionStage<Void> publishAdmin(ControlMessage message);
}
