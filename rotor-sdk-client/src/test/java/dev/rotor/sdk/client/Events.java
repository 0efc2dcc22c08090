package dev.rotor.sdk.client;

import dev.rotor.protocol.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** Records every connection and subscription event in arrival order, for assertions. Thread-safe. */
final class Events implements ConnectionListener, SubscriptionListener {
    static final Duration WAIT = Duration.ofSeconds(15);

    final List<Object> all = new CopyOnWriteArrayList<>();
    final List<ConnectEvent> connects = new CopyOnWriteArrayList<>();
    final List<DisconnectEvent> disconnects = new CopyOnWriteArrayList<>();
    final List<DisconnectEvent> closed = new CopyOnWriteArrayList<>();
    final List<RotorClientException> errors = new CopyOnWriteArrayList<>();
    final List<Message> messages = new CopyOnWriteArrayList<>();
    final List<Presence> joins = new CopyOnWriteArrayList<>();
    final List<Presence> leaves = new CopyOnWriteArrayList<>();
    final List<SubscribeSuccess> subscribed = new CopyOnWriteArrayList<>();
    final List<SubscribeError> subscribeErrors = new CopyOnWriteArrayList<>();
    final List<String> unsubscribed = new CopyOnWriteArrayList<>();

    private <T> void add(List<T> list, T event) {
        list.add(event);
        all.add(event);
    }

    @Override public void onConnect(ConnectEvent e) { add(connects, e); }
    @Override public void onDisconnect(DisconnectEvent e) { add(disconnects, e); }
    @Override public void onError(RotorClientException e) { add(errors, e); }
    @Override public void onClosed(DisconnectEvent e) { add(closed, e); }
    @Override public void onMessage(Message m) { add(messages, m); }
    @Override public void onJoin(Presence p) { add(joins, p); }
    @Override public void onLeave(Presence p) { add(leaves, p); }
    @Override public void onSubscribeSuccess(SubscribeSuccess e) { add(subscribed, e); }
    @Override public void onSubscribeError(SubscribeError e) { add(subscribeErrors, e); }
    @Override public void onUnsubscribe(String channel) { add(unsubscribed, channel); }

    /** Waits until {@code list} holds at least {@code n} events. */
    static <T> List<T> await(List<T> list, int n) {
        Awaitility.await().atMost(WAIT).until(() -> list.size() >= n);
        return List.copyOf(list);
    }

    /** Waits until some event in {@code list} matches. */
    static <T> T awaitMatch(List<T> list, Predicate<T> p) {
        Awaitility.await().atMost(WAIT).until(() -> list.stream().anyMatch(p));
        return list.stream().filter(p).findFirst().orElseThrow();
    }

    /** The {@code data} of the received messages, as JSON text. */
    List<String> data() {
        return messages.stream().map(m -> m.data().toString()).toList();
    }
}
