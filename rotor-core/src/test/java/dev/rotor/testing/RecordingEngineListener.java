package dev.rotor.testing;

import dev.rotor.engine.EngineListener;
import static org.awaitility.Awaitility.await;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * An {@link EngineListener} that records everything an engine delivers, in arrival order, for tests to inspect or
 * await. Thread-safe: engines may call it from any thread.
 */
public final class RecordingEngineListener implements EngineListener {

    /** One delivery. */
    public sealed interface Event permits Published, Joined, Left, Control, Admin, Lost {
    }

    /** {@link EngineListener#onMessage}. */
    public record Published(Message message) implements Event {
    }

    /** {@link EngineListener#onJoin}. */
    public record Joined(String channel, ClientInfo info) implements Event {
    }

    /** {@link EngineListener#onLeave}. */
    public record Left(String channel, ClientInfo info) implements Event {
    }

    /** {@link EngineListener#onControl}; the message as the engine passed it. */
    public record Control(ControlMessage message) implements Event {
    }

    /** {@link EngineListener#onAdmin}; the message as the engine passed it. */
    public record Admin(ControlMessage message) implements Event {
    }

    /** {@link EngineListener#onSubscriptionsLost}. */
    public record Lost(Set<String> channels) implements Event {
    }

    private final Duration timeout;
    private final List<Event> events = new ArrayList<>(); // guarded by itself; in arrival order

    /** A listener whose await methods give up after 10 seconds. */
    public RecordingEngineListener() {
        this(Duration.ofSeconds(10));
    }

    public RecordingEngineListener(Duration timeout) {
        this.timeout = timeout;
    }

    @Override
    public void onMessage(Message message) {
        record(new Published(message));
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
        record(new Joined(channel, info));
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
        record(new Left(channel, info));
    }

    @Override
    public void onControl(ControlMessage message) {
        record(new Control(message));
    }

    @Override
    public void onAdmin(ControlMessage message) {
        record(new Admin(message));
    }

    @Override
    public void onSubscriptionsLost(Set<String> channels) {
        record(new Lost(Set.copyOf(channels)));
    }

    private void record(Event event) {
        synchronized (events) {
            events.add(event);
        }
    }

    /** Every event so far, in arrival order. */
    public List<Event> events() {
        synchronized (events) {
            return List.copyOf(events);
        }
    }

    /** Messages, joins and leaves of one channel, in arrival order. */
    public List<Event> events(String channel) {
        return select(event -> channel.equals(channelOf(event)));
    }

    /** Messages published in one channel, in arrival order. */
    public List<Message> messages(String channel) {
        List<Message> result = new ArrayList<>();
        for (Event event : events(channel)) {
            if (event instanceof Published published) {
                result.add(published.message());
            }
        }
        return result;
    }

    /** Infos of the joins in one channel, in arrival order. */
    public List<ClientInfo> joins(String channel) {
        List<ClientInfo> result = new ArrayList<>();
        for (Event event : events(channel)) {
            if (event instanceof Joined joined) {
                result.add(joined.info());
            }
        }
        return result;
    }

    /** Infos of the leaves in one channel, in arrival order. */
    public List<ClientInfo> leaves(String channel) {
        List<ClientInfo> result = new ArrayList<>();
        for (Event event : events(channel)) {
            if (event instanceof Left left) {
                result.add(left.info());
            }
        }
        return result;
    }

    /** Control payloads, in arrival order. */
    public List<ControlMessage> controls() {
        List<ControlMessage> result = new ArrayList<>();
        for (Event event : events()) {
            if (event instanceof Control control) {
                result.add(control.message());
            }
        }
        return result;
    }

    /** Admin payloads, in arrival order. */
    public List<ControlMessage> admins() {
        List<ControlMessage> result = new ArrayList<>();
        for (Event event : events()) {
            if (event instanceof Admin admin) {
                result.add(admin.message());
            }
        }
        return result;
    }

    /** Waits until the channel has at least {@code count} events (messages, joins, leaves) and returns them all. */
    public List<Event> awaitEvents(String channel, int count) {
        await().atMost(timeout).until(() -> events(channel).size() >= count);
        return events(channel);
    }

    /** Waits until the channel has at least {@code count} messages and returns them all. */
    public List<Message> awaitMessages(String channel, int count) {
        await().atMost(timeout).until(() -> messages(channel).size() >= count);
        return messages(channel);
    }

    /** Waits until at least {@code count} control messages arrived and returns them all. */
    public List<ControlMessage> awaitControls(int count) {
        await().atMost(timeout).until(() -> controls().size() >= count);
        return controls();
    }

    /** Waits until at least {@code count} admin messages arrived and returns them all. */
    public List<ControlMessage> awaitAdmins(int count) {
        await().atMost(timeout).until(() -> admins().size() >= count);
        return admins();
    }

    /** Forgets everything recorded so far. */
    public void clear() {
        synchronized (events) {
            events.clear();
        }
    }

    private List<Event> select(Predicate<Event> filter) {
        List<Event> result = new ArrayList<>();
        for (Event event : events()) {
            if (filter.test(event)) {
                result.add(event);
            }
        }
        return result;
    }

    private static String channelOf(Event event) {
        if (event instanceof Published published) {
            return published.message().channel();
        }
        if (event instanceof Joined joined) {
            return joined.channel();
        }
        if (event instanceof Left left) {
            return left.channel();
        }
        return null;
    }
}
