package dev.rotor.testkit;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.protocol.ClientInfo;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The memory engine, except that presence reads complete only when the test calls {@link #releasePresence}: a
 * deterministic asynchronous engine call, for tests of frame ordering and backpressure in transport adapters.
 * Thread-safe.
 */
public final class GatedPresenceEngine implements Engine {
    private final MemoryEngine memory = new MemoryEngine();
    private final CompletableFuture<Map<String, ClientInfo>> presence = new CompletableFuture<>();

    /** Completes every pending and future presence read with {@code result}. */
    public void releasePresence(Map<String, ClientInfo> result) {
        presence.complete(result);
    }

    @Override public String name() { return "gated presence"; }
    @Override public CompletionStage<Void> start(EngineListener listener) { return memory.start(listener); }
    @Override public Broker broker() { return memory.broker(); }
    @Override public HistoryStore historyStore() { return memory.historyStore(); }
    @Override public ControlBus controlBus() { return memory.controlBus(); }
    @Override public void close() { memory.close(); }

    @Override
    public PresenceStore presenceStore() {
        PresenceStore real = memory.presenceStore();
        return new PresenceStore() {
            @Override
            public CompletionStage<Void> addPresence(String ch, String c, ClientInfo i, int expire) {
                return real.addPresence(ch, c, i, expire);
            }

            @Override
            public CompletionStage<Void> removePresence(String ch, String c) {
                return real.removePresence(ch, c);
            }

            @Override
            public CompletionStage<Map<String, ClientInfo>> presence(String ch) {
                return presence;
            }
        };
    }
}
