package dev.rotor.engine.memory;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * PLACEHOLDER so that the CLI compiles on the config branch; the real single-node engine replaces this file.
 * Thread-safe (it has no state).
 */
public final class MemoryEngine implements Engine {

    @Override
    public String name() {
        return "In memory \u2013 single node only";
    }

    @Override
    public CompletionStage<Void> start(EngineListener listener) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("memory engine not implemented yet"));
    }

    @Override
    public Broker broker() {
        throw new UnsupportedOperationException("memory engine not implemented yet");
    }

    @Override
    public PresenceStore presenceStore() {
        throw new UnsupportedOperationException("memory engine not implemented yet");
    }

    @Override
    public HistoryStore historyStore() {
        throw new UnsupportedOperationException("memory engine not implemented yet");
    }

    @Override
    public ControlBus controlBus() {
        throw new UnsupportedOperationException("memory engine not implemented yet");
    }

    @Override
    public void close() {
    }
}
