package dev.rotor.engine.memory;

import dev.rotor.engine.EngineListener;

/**
 * The listener the engine delivers to, shared by the roles that deliver (broker and control bus). Thread-safe.
 */
final class ListenerHolder {
    /** Null before {@code start} and after {@code close}; set once in between. */
    private volatile EngineListener listener;

    void set(EngineListener listener) {
        this.listener = listener;
    }

    /** The listener, or null when the engine is not running. */
    EngineListener get() {
        return listener;
    }
}
