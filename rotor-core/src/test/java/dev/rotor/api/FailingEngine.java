package dev.rotor.api;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The memory engine with the API's engine steps failing on demand, as a Redis engine's do when Redis is
 * unreachable: publishing to chosen channels (with the text {@link #DOWN} and the channel) and, when told, node
 * control messages (the step by which {@code unsubscribe} and {@code disconnect} reach the other nodes). Thread-safe.
 */
final class FailingEngine implements Engine {
    /** The engine text of a failed operation, as a Redis client would report it. */
    static final String DOWN = "dial tcp 127.0.0.1:6379: connect: connection refused";

    private final MemoryEngine memory;
    private final Set<String> failingChannels = ConcurrentHashMap.newKeySet();
    private volatile boolean controlFailing;

    FailingEngine(MemoryEngine memory) {
        this.memory = memory;
    }

    /** Publishing to {@code channel} fails from now on with {@code DOWN (channel)}. */
    void failPublishTo(String channel) {
        failingChannels.add(channel);
    }

    /** Publishing control messages fails from now on. */
    void failControl() {
        controlFailing = true;
    }

    private static <T> CompletionStage<T> down(String what) {
        return CompletableFuture.failedFuture(new IOException(DOWN + " (" + what + ")"));
    }

    @Override
    public String name() {
        return "memory, failing on demand";
    }

    @Override
    public CompletionStage<Void> start(EngineListener listener) {
        return memory.start(listener);
    }

    @Override
    public Broker broker() {
        Broker real = memory.broker();
        return new Broker() {
            @Override
            public CompletionStage<Void> publish(Message message, HistoryOptions history) {
                return failingChannels.contains(message.channel()) ? down(message.channel())
                        : real.publish(message, history);
            }

            @Override
            public CompletionStage<Void> publishJoin(String channel, ClientInfo info) {
                return real.publishJoin(channel, info);
            }

            @Override
            public CompletionStage<Void> publishLeave(String channel, ClientInfo info) {
                return real.publishLeave(channel, info);
            }

            @Override
            public CompletionStage<Void> subscribe(String channel) {
                return real.subscribe(channel);
            }

            @Override
            public CompletionStage<Void> unsubscribe(String channel, HistoryOptions history) {
                return real.unsubscribe(channel, history);
            }

            @Override
            public CompletionStage<List<String>> channels() {
                return real.channels();
            }
        };
    }

    @Override
    public ControlBus controlBus() {
        ControlBus real = memory.controlBus();
        return new ControlBus() {
            @Override
            public CompletionStage<Void> publishControl(ControlMessage message) {
                return controlFailing ? down("control") : real.publishControl(message);
            }

            @Override
            public CompletionStage<Void> publishAdmin(ControlMessage message) {
                return real.publishAdmin(message);
            }
        };
    }

    @Override
    public PresenceStore presenceStore() {
        return memory.presenceStore();
    }

    @Override
    public HistoryStore historyStore() {
        return memory.historyStore();
    }

    @Override
    public void close() {
        memory.close();
    }
}
