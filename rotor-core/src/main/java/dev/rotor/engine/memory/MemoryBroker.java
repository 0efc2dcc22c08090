package dev.rotor.engine.memory;

import dev.rotor.engine.Broker;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.IllFormedNameException;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;

/**
 * In-process broker: delivers publications, joins and leaves of the channels this node is subscribed to straight
 * to the engine listener (memory-engine.md "Publishing"). Thread-safe.
 *
 * <p>Each subscribed channel has a {@link ChannelLane}: the history write and the queuing of the delivery happen
 * under that lane's monitor, and the lane runs deliveries in order outside any lock. Uncontended, the listener runs
 * on the publishing thread before {@code publish} returns; when another thread is delivering on the same channel
 * the call returns at once and the stage completes after that thread delivered this message. Channels never share
 * a lock.
 */
final class MemoryBroker implements Broker {
    private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

    private final ListenerHolder listener;
    private final MemoryHistoryStore history;
    /** Subscribed channels, plus unsubscribed ones whose lane still drains; a lane leaves the map when retired. */
    private final ConcurrentHashMap<String, ChannelLane> lanes = new ConcurrentHashMap<>();

    /** One channel's delivery lane and subscription flag; all state guarded by its monitor. */
    private final class ChannelLane extends SerialLane {
        final String channel;
        /** Whether this node is subscribed; written under the monitor, volatile for {@link #channels()}. */
        volatile boolean subscribed;
        /** Set once, under the monitor, when the lane left the map; a retired lane is never used again. */
        boolean retired;

        ChannelLane(String channel) {
            this.channel = channel;
        }

        void retireLocked() {
            retired = true;
            lanes.remove(channel, this);
        }

        @Override
        void onIdleLocked() {
            if (!subscribed && !retired) {
                retireLocked();
            }
        }
    }

    MemoryBroker(ListenerHolder listener, MemoryHistoryStore history) {
        this.listener = listener;
        this.history = history;
    }

    @Override
    public CompletionStage<Void> publish(Message message, HistoryOptions options) {
        if (message == null || options == null) {
            return CompletableFuture.failedStage(new NullPointerException("message and options are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(message);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        EngineListener target = listener.get();
        if (target == null) {
            return MemoryEngine.notRunning();
        }
        return submit(message.channel(), () -> target.onMessage(message), message, options);
    }

    @Override
    public CompletionStage<Void> publishJoin(String channel, ClientInfo info) {
        if (channel == null || info == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel and info are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, info);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        EngineListener target = listener.get();
        if (target == null) {
            return MemoryEngine.notRunning();
        }
        return submit(channel, () -> target.onJoin(channel, info), null, null);
    }

    @Override
    public CompletionStage<Void> publishLeave(String channel, ClientInfo info) {
        if (channel == null || info == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel and info are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel, info);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        EngineListener target = listener.get();
        if (target == null) {
            return MemoryEngine.notRunning();
        }
        return submit(channel, () -> target.onLeave(channel, info), null, null);
    }

    /**
     * Stores {@code toStore} (if not null) and delivers {@code action} when subscribed, atomically with respect to
     * other publishes, subscribes and unsubscribes of the channel.
     */
    private CompletionStage<Void> submit(String channel, Runnable action, Message toStore, HistoryOptions options) {
        while (true) {
            ChannelLane lane = lanes.get(channel);
            if (lane == null) {
                // Not subscribed: nothing to deliver, history only (drop_inactive may refuse it).
                if (toStore != null) {
                    history.store(toStore, options, false);
                }
                return DONE;
            }
            SerialLane.Delivery delivery;
            boolean mustDrain;
            synchronized (lane) {
                if (lane.retired) {
                    continue; // lost a race with the last unsubscribe; look again
                }
                if (toStore != null) {
                    history.store(toStore, options, lane.subscribed);
                }
                if (!lane.subscribed) {
                    return DONE;
                }
                delivery = new SerialLane.Delivery(action, new CompletableFuture<>());
                mustDrain = lane.submitLocked(delivery);
            }
            if (mustDrain) {
                lane.drain();
            }
            return delivery.done();
        }
    }

    @Override
    public CompletionStage<Void> subscribe(String channel) {
        if (channel == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        while (true) {
            ChannelLane lane = lanes.computeIfAbsent(channel, ChannelLane::new);
            synchronized (lane) {
                if (lane.retired) {
                    continue;
                }
                lane.subscribed = true;
            }
            return DONE;
        }
    }

    @Override
    public CompletionStage<Void> unsubscribe(String channel, HistoryOptions options) {
        if (channel == null || options == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel and options are required"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        while (true) {
            ChannelLane lane = lanes.get(channel);
            if (lane == null) {
                return DONE;
            }
            synchronized (lane) {
                if (lane.retired) {
                    continue;
                }
                if (lane.subscribed) {
                    // Touch under the lane monitor: a racing publish is then either delivered (before) or kept by
                    // the inactivity window (after), never dropped in between.
                    history.touch(channel, options);
                    lane.subscribed = false;
                    if (!lane.busyLocked()) {
                        lane.retireLocked();
                    }
                }
            }
            return DONE;
        }
    }

    @Override
    public CompletionStage<List<String>> channels() {
        List<String> result = new ArrayList<>();
        for (ChannelLane lane : lanes.values()) {
            if (lane.subscribed) {
                result.add(lane.channel);
            }
        }
        return CompletableFuture.completedStage(result);
    }

    /** Number of lanes held, subscribed or still draining (for tests). */
    int laneCount() {
        return lanes.size();
    }
}
