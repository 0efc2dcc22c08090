package dev.rotor.node;

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
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The memory engine behind gates a test opens by hand: the engine subscription and unsubscription, each history
 * read, and the delivery of live messages to the node (a Redis pub/sub stream lagging behind the history written by
 * the same publication). It counts the engine operations and the joins and leaves published. Its state is a
 * {@link Gates}, which the engines of several nodes of one test may share. Single-threaded, as the test drives it.
 */
final class GatedEngine implements Engine {
    /** What the test holds and sees; set and read by the test between the node's calls. */
    static final class Gates {
        /** Engine subscriptions waiting for the test, oldest first; used while {@link #gateSubscribe} is set. */
        final Queue<CompletableFuture<Void>> subscribes = new ArrayDeque<>();
        /** Engine unsubscriptions waiting for the test, oldest first; used while {@link #gateUnsubscribe} is set. */
        final Queue<CompletableFuture<Void>> unsubscribes = new ArrayDeque<>();
        /** History reads waiting for the test, oldest first; used while {@link #gateHistory} is set. */
        final Queue<CompletableFuture<Void>> historyReads = new ArrayDeque<>();
        /** Live messages the engine received and has not handed to the node yet; used while {@link #lagLive} is set. */
        final Queue<Message> lagging = new ArrayDeque<>();
        boolean gateSubscribe;
        boolean gateUnsubscribe;
        boolean throwUnsubscribe;
        boolean gateHistory;
        boolean lagLive;
        /** Runs when the node publishes a join, before the engine does; null for nothing. */
        Runnable beforeJoin;
        int historyReadsStarted;
        /** Calls of the engine's subscribe and unsubscribe, gated or not. */
        int engineSubscribes;
        int engineUnsubscribes;
        int joinsPublished;
        int leavesPublished;
    }

    private final MemoryEngine memory;
    private final Gates gates;

    GatedEngine(MemoryEngine memory, Gates gates) {
        this.memory = memory;
        this.gates = gates;
    }

    @Override public String name() { return "gated memory"; }
    @Override public PresenceStore presenceStore() { return memory.presenceStore(); }
    @Override public ControlBus controlBus() { return memory.controlBus(); }
    @Override public void close() { memory.close(); }

    @Override
    public CompletionStage<Void> start(EngineListener listener) {
        return memory.start(new EngineListener() {
            @Override
            public void onMessage(Message message) {
                if (gates.lagLive) {
                    gates.lagging.add(message);
                } else {
                    listener.onMessage(message);
                }
            }
            @Override public void onJoin(String ch, ClientInfo info) { listener.onJoin(ch, info); }
            @Override public void onLeave(String ch, ClientInfo info) { listener.onLeave(ch, info); }
            @Override public void onControl(ControlMessage m) { listener.onControl(m); }
            @Override public void onAdmin(ControlMessage m) { listener.onAdmin(m); }
            @Override public void onSubscriptionsLost(Set<String> channels) { listener.onSubscriptionsLost(channels); }
        });
    }

    @Override
    public Broker broker() {
        Broker real = memory.broker();
        return new Broker() {
            @Override public CompletionStage<Void> publish(Message m, HistoryOptions h) { return real.publish(m, h); }

            @Override
            public CompletionStage<Void> publishJoin(String ch, ClientInfo i) {
                gates.joinsPublished++;
                if (gates.beforeJoin != null) {
                    gates.beforeJoin.run();
                }
                return real.publishJoin(ch, i);
            }

            @Override
            public CompletionStage<Void> publishLeave(String ch, ClientInfo i) {
                gates.leavesPublished++;
                return real.publishLeave(ch, i);
            }

            @Override public CompletionStage<List<String>> channels() { return real.channels(); }

            @Override
            public CompletionStage<Void> unsubscribe(String ch, HistoryOptions h) {
                gates.engineUnsubscribes++;
                if (gates.throwUnsubscribe) {
                    throw new IllegalStateException("an engine that throws instead of failing its stage");
                }
                if (!gates.gateUnsubscribe) {
                    return real.unsubscribe(ch, h);
                }
                CompletableFuture<Void> gate = new CompletableFuture<>();
                gates.unsubscribes.add(gate);
                return gate.thenCompose(v -> real.unsubscribe(ch, h));
            }

            @Override
            public CompletionStage<Void> subscribe(String ch) {
                gates.engineSubscribes++;
                if (!gates.gateSubscribe) {
                    return real.subscribe(ch);
                }
                CompletableFuture<Void> gate = new CompletableFuture<>();
                gates.subscribes.add(gate);
                return gate.thenCompose(v -> real.subscribe(ch));
            }
        };
    }

    @Override
    public HistoryStore historyStore() {
        HistoryStore real = memory.historyStore();
        return new HistoryStore() {
            @Override public CompletionStage<String> lastMessageId(String ch) { return real.lastMessageId(ch); }

            @Override
            public CompletionStage<List<Message>> history(String ch, int limit) {
                gates.historyReadsStarted++;
                if (!gates.gateHistory) {
                    return real.history(ch, limit);
                }
                CompletableFuture<Void> gate = new CompletableFuture<>();
                gates.historyReads.add(gate);
                // the read happens when the test opens the gate, and sees what was published until then
                return gate.thenCompose(v -> real.history(ch, limit));
            }
        };
    }
}
