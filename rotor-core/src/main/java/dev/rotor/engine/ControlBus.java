package dev.rotor.engine;

import java.util.concurrent.CompletionStage;

/**
 * Carries opaque node-to-node messages: control messages (node pings, API unsubscribe and disconnect) and admin
 * messages (for admin watchers). Every node, the sender included, receives each message once through
 * {@link EngineListener#onControl} or {@link EngineListener#onAdmin}. Thread-safe; fails only by completing
 * exceptionally. The payload bytes belong to the bus after the call.
 */
public interface ControlBus {

    CompletionStage<Void> publishControl(byte[] payload);

    CompletionStage<Void> publishAdmin(byte[] payload);
}
