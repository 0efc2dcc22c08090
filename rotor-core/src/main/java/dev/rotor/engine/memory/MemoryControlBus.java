package dev.rotor.engine.memory;

import dev.rotor.engine.ControlBus;
import dev.rotor.engine.EngineListener;
import dev.rotor.protocol.ControlMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * In-process control bus: the single node is the only receiver, so each control or admin message goes straight
 * back to this node's listener, in publish order per kind (memory-engine.md "Publishing"). Thread-safe.
 */
final class MemoryControlBus implements ControlBus {
    private final ListenerHolder listener;
    private final SerialLane controlLane = new SerialLane();
    private final SerialLane adminLane = new SerialLane();

    MemoryControlBus(ListenerHolder listener) {
        this.listener = listener;
    }

    @Override
    public CompletionStage<Void> publishControl(ControlMessage payload) {
        return deliver(controlLane, payload, target -> target.onControl(payload));
    }

    @Override
    public CompletionStage<Void> publishAdmin(ControlMessage payload) {
        return deliver(adminLane, payload, target -> target.onAdmin(payload));
    }

    private CompletionStage<Void> deliver(SerialLane lane, ControlMessage payload, Consumer<EngineListener> call) {
        if (payload == null) {
            return CompletableFuture.failedStage(new NullPointerException("payload"));
        }
        EngineListener target = listener.get();
        if (target == null) {
            return MemoryEngine.notRunning();
        }
        SerialLane.Delivery delivery = new SerialLane.Delivery(() -> call.accept(target), new CompletableFuture<>());
        boolean mustDrain;
        synchronized (lane) {
            mustDrain = lane.submitLocked(delivery);
        }
        if (mustDrain) {
            lane.drain();
        }
        return delivery.done();
    }
}
