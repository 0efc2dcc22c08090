package dev.rotor.sdk.client;

import static dev.rotor.sdk.client.Events.WAIT;
import static dev.rotor.sdk.client.Events.await;
import static dev.rotor.sdk.client.Events.awaitMatch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.sdk.api.Tokens;
import dev.rotor.sdk.client.internal.RealRotorClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The realtime client against a real Rotor server over loopback sockets, with the HTTP API as the backend. */
class RotorClientIT {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 2, 0.5, 0);

    private ServerFixture fixture;
    private final List<RotorClient> clients = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        clients.forEach(RotorClient::close);
        if (fixture != null) {
            fixture.close();
        }
    }

    private ServerFixture start(ChannelOptions.Builder topLevel) throws Exception {
        return start(NodeConfig.builder().topLevel(topLevel.build()));
    }

    private ServerFixture start(NodeConfig.Builder node) throws Exception {
        fixture = new ServerFixture(node);
        return fixture;
    }

    private RotorClientConfig.Builder config(Events events) {
        return RotorClientConfig.builder(fixture.wsUrl()).backoff(FAST).pingInterval(Duration.ofMillis(500))
                .listener(events);
    }

    private RotorClient client(RotorClientConfig.Builder config) {
        RotorClient c = RotorClient.create(config.build());
        clients.add(c);
        return c;
    }

    private RotorClient connected(String user, Events events) {
        RotorClient c = client(config(events).credentials(() ->
                CompletableFuture.completedFuture(ServerFixture.credentials(user, "{\"name\":\"" + user + "\"}"))));
        c.connectBlocking();
        return c;
    }

    @Test
    void subscribedClientReceivesPublicationSentThroughTheApi() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        RotorClient client = client(config(events).credentials(ServerFixture.credentials("bob", "")));
        Subscription news = client.subscribe("news", events);
        client.connect().get();

        assertThat(await(events.connects, 1).get(0).reconnect()).isFalse();
        assertThat(client.clientId()).isEqualTo(events.connects.get(0).clientId()).hasSize(36);
        news.ready().get();
        assertThat(news.state()).isEqualTo(Subscription.State.SUBSCRIBED);
        assertThat(events.subscribed).containsExactly(new SubscriptionListener.SubscribeSuccess("news", false, false));

        fixture.api.publish("news", "{\"text\":\"hello\"}").join();
        Message m = await(events.messages, 1).get(0);
        assertThat(m.channel()).isEqualTo("news");
        assertThat(m.data().toString()).isEqualTo("{\"text\":\"hello\"}");
        assertThat(m.client()).isNull();
        assertThat(events.errors).isEmpty();
    }

    @Test
    void publishPresenceAndHistoryGoThroughTheSubscription() throws Exception {
        start(ChannelOptions.builder().publish(true).presence(true).historySize(10).historyLifetime(60));
        Events events = new Events();
        RotorClient client = connected("alice", events);
        Subscription chat = client.subscribe("chat", events);

        chat.publishBlocking("{\"n\": 1}");
        Message own = await(events.messages, 1).get(0);
        assertThat(own.client()).isEqualTo(client.clientId());
        assertThat(own.info().user()).isEqualTo("alice");
        assertThat(own.info().defaultInfo().toString()).isEqualTo("{\"name\":\"alice\"}");

        Map<String, ClientInfo> presence = chat.presenceBlocking();
        assertThat(presence).containsOnlyKeys(client.clientId());
        assertThat(presence.get(client.clientId()).user()).isEqualTo("alice");

        List<Message> history = chat.history().get();
        assertThat(history).extracting(Message::uid).containsExactly(own.uid());
        assertThat(history.get(0).data().toString()).isEqualTo("{\"n\":1}");
        client.ping().get();
    }

    @Test
    void refusedCommandsFailWithTheServersErrorString() throws Exception {
        start(NodeConfig.builder().topLevel(ChannelOptions.builder().build())
                .namespaces(Map.of("open", ChannelOptions.builder().publish(true).build())));
        Events events = new Events();
        RotorClient client = connected("bob", events);

        Subscription readOnly = client.subscribe("news", events);
        readOnly.ready().get();
        assertThatThrownBy(() -> readOnly.publishBlocking("{}"))
                .isInstanceOfSatisfying(RotorClientException.ServerError.class, e -> {
                    assertThat(e.error()).isEqualTo("permission denied");
                    assertThat(e.advice()).isEqualTo("fix");
                });
        assertThatThrownBy(readOnly::presenceBlocking).isInstanceOfSatisfying(RotorClientException.ServerError.class,
                e -> assertThat(e.error()).isEqualTo("not available"));
        assertThatThrownBy(() -> readOnly.publish("not json")).isInstanceOf(IllegalArgumentException.class);

        Subscription missing = client.subscribe("nope:x", events);
        SubscriptionListener.SubscribeError error = await(events.subscribeErrors, 1).get(0);
        assertThat(error.channel()).isEqualTo("nope:x");
        assertThat(error.error()).isInstanceOfSatisfying(RotorClientException.ServerError.class,
                e -> assertThat(e.error()).isEqualTo("namespace not found"));
        assertThat(missing.state()).isEqualTo(Subscription.State.FAILED);
        assertThat(client.subscribe("open:chat", events).ready().thenCompose(v ->
                client.subscription("open:chat").orElseThrow().publish("1"))).succeedsWithin(WAIT);
    }

    @Test
    void joinAndLeaveOfAnotherClientAreDelivered() throws Exception {
        start(ChannelOptions.builder().joinLeave(true));
        Events watcher = new Events();
        RotorClient first = connected("alice", watcher);
        first.subscribe("room", watcher).ready().get();

        Events other = new Events();
        RotorClient second = connected("bob", other);
        Subscription room = second.subscribe("room", other);
        SubscriptionListener.Presence join = awaitMatch(watcher.joins, p -> p.info().user().equals("bob"));
        assertThat(join.channel()).isEqualTo("room");
        assertThat(join.info().client()).isEqualTo(second.clientId());

        room.unsubscribe();
        SubscriptionListener.Presence leave = awaitMatch(watcher.leaves, p -> p.info().user().equals("bob"));
        assertThat(leave.info().client()).isEqualTo(join.info().client());
        assertThat(await(other.unsubscribed, 1)).containsExactly("room");
        assertThat(room.state()).isEqualTo(Subscription.State.UNSUBSCRIBED);
    }

    @Test
    void batchedCommandsGoOutTogetherAndEachGetsItsReply() throws Exception {
        start(ChannelOptions.builder().publish(true).historySize(10).historyLifetime(60));
        Events events = new Events();
        RotorClient client = client(config(events).pingInterval(Duration.ZERO) // only our frames reach the server
                .credentials(ServerFixture.credentials("bob", "")));
        client.connectBlocking();
        Subscription a = client.subscribe("a", events);
        a.ready().get();
        Metrics metrics = fixture.server.node().metrics();
        long framesBefore = metrics.count(Counter.CLIENT_API_NUM_REQUESTS);

        client.startBatching();
        CompletableFuture<Void> p1 = a.publish("1");
        CompletableFuture<Void> p2 = a.publish("2");
        CompletableFuture<List<Message>> history = a.history();
        CompletableFuture<Void> ping = client.ping();
        assertThat(List.of(p1, p2, history, ping)).noneMatch(CompletableFuture::isDone); // nothing sent yet
        client.stopBatching(true);

        assertThat(CompletableFuture.allOf(p1, p2, ping)).succeedsWithin(WAIT);
        assertThat(history.get()).extracting(m -> m.data().toString()).containsExactly("2", "1");
        assertThat(metrics.count(Counter.CLIENT_API_NUM_REQUESTS) - framesBefore).as("frames received").isEqualTo(1);
        assertThat(Events.await(events.messages, 2)).extracting(m -> m.data().toString()).containsExactly("1", "2");
    }

    @Test
    void privateChannelIsSignedThroughTheAuthEndpoint() throws Exception {
        start(ChannelOptions.builder().presence(true));
        try (AuthBackend backend = new AuthBackend(ServerFixture.SECRET, "{\"role\":\"admin\"}")) {
            Events events = new Events();
            RotorClient client = client(config(events).credentials(ServerFixture.credentials("bob", ""))
                    .channelSigner(HttpChannelSigner.builder(backend.url()).header("X-Session", "s-1").build()));
            Subscription secret = client.subscribe("$secret", events);
            Subscription other = client.subscribe("$other", events);
            client.connectBlocking();
            secret.ready().get();
            other.ready().get();
            // both private channels subscribed together: one auth request, as centrifuge-js batches them
            assertThat(backend.requests).singleElement().satisfies(r -> {
                assertThat(r.body()).isEqualTo("{\"client\":\"" + client.clientId()
                        + "\",\"channels\":[\"$secret\",\"$other\"]}");
                assertThat(r.session()).isEqualTo("s-1");
            });

            fixture.api.publish("$secret", "{\"top\":true}").join();
            assertThat(await(events.messages, 1).get(0).data().toString()).isEqualTo("{\"top\":true}");
            assertThat(fixture.api.presence("$secret").join().get(client.clientId()).channelInfo().toString())
                    .isEqualTo("{\"role\":\"admin\"}");
        }
    }

    @Test
    void privateChannelWithoutSignerOrWithWrongSignIsRefused() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        RotorClient client = client(config(events).credentials(ServerFixture.credentials("bob", ""))
                .channelSigner((clientId, channel) -> CompletableFuture.completedFuture(
                        new ChannelSign(Tokens.channelSign("wrong-secret", clientId, channel, ""), ""))));
        client.connectBlocking();
        client.subscribe("$forged", events);
        assertThat(await(events.subscribeErrors, 1).get(0).error())
                .isInstanceOfSatisfying(RotorClientException.ServerError.class,
                        e -> assertThat(e.error()).isEqualTo("permission denied"));

        Events plain = new Events();
        RotorClient unsigned = connected("carol", plain);
        unsigned.subscribe("$nosigner", plain);
        assertThat(await(plain.subscribeErrors, 1).get(0).error().getMessage()).contains("ChannelSigner");
    }

    @Test
    void connectionIsRefreshedBeforeItsLifetimeEnds() throws Exception {
        // lifetime 3 s + 1 s grace: without refresh the server closes with "expired" about 4 s after connecting
        start(NodeConfig.builder().connectionLifetime(3).expiredConnectionCloseDelay(1)
                .topLevel(ChannelOptions.builder().build()));
        Events events = new Events();
        AtomicInteger issued = new AtomicInteger();
        RotorClient client = client(config(events).credentials(() -> {
            issued.incrementAndGet();
            return CompletableFuture.completedFuture(ServerFixture.credentials("bob", ""));
        }));
        client.subscribe("news", events);
        client.connectBlocking();
        long connectedAt = System.nanoTime();

        // initial credentials + 3 refreshes span at least 3 x 2.25 s, well past the unrefreshed expiry
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> issued.get() >= 4);
        assertThat(Duration.ofNanos(System.nanoTime() - connectedAt)).isGreaterThan(Duration.ofSeconds(4));
        assertThat(events.disconnects).isEmpty();
        assertThat(events.connects).hasSize(1);
        assertThat(events.errors).isEmpty();
        assertThat(client.state()).isEqualTo(RotorClient.State.CONNECTED);
        fixture.api.publish("news", "7").join();
        assertThat(await(events.messages, 1).get(0).data().toString()).isEqualTo("7");
    }

    /**
     * A refresh whose credentials provider never answers is reported after {@code requestTimeout}; before, nothing
     * was reported and the connection simply expired.
     */
    @Test
    void aRefreshWhoseProviderNeverAnswersIsReported() throws Exception {
        start(NodeConfig.builder().connectionLifetime(2).expiredConnectionCloseDelay(1)
                .topLevel(ChannelOptions.builder().build()));
        Events events = new Events();
        AtomicInteger asked = new AtomicInteger();
        RotorClient client = client(config(events).requestTimeout(Duration.ofSeconds(1)).credentials(() ->
                asked.incrementAndGet() == 1 ? CompletableFuture.completedFuture(ServerFixture.credentials("rex", ""))
                        : new CompletableFuture<>()));
        client.connectBlocking();

        RotorClientException e = awaitMatch(events.errors, x -> x.getMessage().startsWith("refresh failed"));
        assertThat(e).hasMessageContaining("credentials provider got no result within 1000 ms");
        assertThat(asked.get()).isEqualTo(2);
    }

    @Test
    void afterTheServerDropsTheConnectionMissedMessagesAreRecoveredInOrder() throws Exception {
        start(ChannelOptions.builder().historySize(20).historyLifetime(60).recover(true));
        Events events = new Events();
        AtomicInteger issued = new AtomicInteger();
        CompletableFuture<Credentials> reconnectGate = new CompletableFuture<>();
        RotorClient client = client(config(events).credentials(() -> issued.incrementAndGet() == 1
                ? CompletableFuture.completedFuture(ServerFixture.credentials("bob", ""))
                : reconnectGate));
        Subscription news = client.subscribe("news", events);
        client.connectBlocking();
        news.ready().get();
        fixture.api.publish("news", "1").join();
        await(events.messages, 1);

        fixture.server.node().disconnectUserLocally("bob", new Disconnect("shutting down", true));
        ConnectionListener.DisconnectEvent drop = await(events.disconnects, 1).get(0);
        assertThat(drop).isEqualTo(new ConnectionListener.DisconnectEvent("shutting down", true));
        assertThat(await(events.unsubscribed, 1)).containsExactly("news");
        Awaitility.await().atMost(WAIT).until(() -> issued.get() >= 2); // reconnecting, held at the credentials

        for (int i = 2; i <= 4; i++) {
            fixture.api.publish("news", Integer.toString(i)).join();
        }
        reconnectGate.complete(ServerFixture.credentials("bob", ""));

        SubscriptionListener.SubscribeSuccess resubscribed = awaitMatch(events.subscribed,
                SubscriptionListener.SubscribeSuccess::resubscribe);
        assertThat(resubscribed.recovered()).isTrue();
        assertThat(await(events.connects, 2).get(1).reconnect()).isTrue();
        fixture.api.publish("news", "5").join();
        assertThat(await(events.messages, 5)).extracting(m -> m.data().toString())
                .containsExactly("1", "2", "3", "4", "5");
        int success = events.all.indexOf(resubscribed);
        assertThat(events.all.subList(success + 1, events.all.size())).filteredOn(Message.class::isInstance)
                .extracting(m -> ((Message) m).data().toString()).containsExactly("2", "3", "4", "5");
        assertThat(events.closed).isEmpty();
    }

    @Test
    void apiDisconnectStopsTheClientWithOneTerminalCallback() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        AtomicInteger issued = new AtomicInteger();
        RotorClient client = client(config(events).credentials(() -> {
            issued.incrementAndGet();
            return CompletableFuture.completedFuture(ServerFixture.credentials("dave", ""));
        }));
        Subscription news = client.subscribe("news", events);
        client.connectBlocking();
        news.ready().get();

        fixture.api.disconnect("dave").join();
        ConnectionListener.DisconnectEvent advice = new ConnectionListener.DisconnectEvent("disconnect", false);
        assertThat(await(events.closed, 1)).containsExactly(advice);
        assertThat(events.disconnects).containsExactly(advice);
        assertThat(client.state()).isEqualTo(RotorClient.State.CLOSED);
        // with a 100 ms backoff a reconnect would have asked for credentials again by now
        Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> issued.get() == 1 && events.closed.size() == 1);
        assertThat(events.connects).hasSize(1);
        assertThat(events.all).last().isEqualTo(advice);
        assertThatThrownBy(() -> client.ping().join()).cause().isInstanceOf(RotorClientException.Closed.class);
    }

    @Test
    void closeEndsTheClientOnceAndFailsWhatIsPending() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        RotorClient client = connected("erin", events);
        client.subscribe("news", events).ready().get();

        client.close();
        client.close();
        ConnectionListener.DisconnectEvent closed = new ConnectionListener.DisconnectEvent("client closed", false);
        assertThat(await(events.closed, 1)).containsExactly(closed);
        assertThat(events.disconnects).containsExactly(closed);
        assertThat(events.unsubscribed).containsExactly("news");
        Awaitility.await().atMost(WAIT).until(() -> fixture.server.node().numClients() == 0);
        assertThatThrownBy(() -> client.subscribe("other", events)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(client::connect).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reconnectAttemptsAreBoundedWhenNothingListens() throws Exception {
        start(ChannelOptions.builder());
        String url = fixture.wsUrl();
        fixture.close();
        fixture = null;
        Events events = new Events();
        RotorClient client = client(RotorClientConfig.builder(url).listener(events)
                .credentials(ServerFixture.credentials("bob", ""))
                .backoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(200), 2, 0.5, 2)));
        CompletableFuture<Void> first = client.connect();

        assertThat(await(events.closed, 1).get(0).reconnect()).isFalse();
        assertThat(events.errors).hasSize(3); // the first attempt and two reconnects
        assertThat(events.connects).isEmpty();
        assertThat(events.disconnects).isEmpty();
        assertThat(first).failsWithin(WAIT);
        assertThat(client.state()).isEqualTo(RotorClient.State.CLOSED);
    }

    @Test
    void insecureClientConnectsWithoutCredentials() throws Exception {
        start(NodeConfig.builder().insecure(true).topLevel(ChannelOptions.builder().build()));
        Events events = new Events();
        RotorClient client = client(config(events).insecure(true));
        Subscription open = client.subscribe("open", events);
        client.connectBlocking();
        open.publishBlocking("{\"anon\":true}");
        Message m = await(events.messages, 1).get(0);
        assertThat(m.data().toString()).isEqualTo("{\"anon\":true}");
        assertThat(m.info().user()).isEmpty();
    }

    @Test
    void blockingCallsFromACallbackAreRefusedInsteadOfHanging() throws Exception {
        start(ChannelOptions.builder().presence(true));
        Events events = new Events();
        List<Throwable> refused = new CopyOnWriteArrayList<>();
        RotorClient client = connected("bob", events);
        client.subscribe("news", new SubscriptionListener() {
            @Override
            public void onSubscribeSuccess(SubscribeSuccess e) {
                try {
                    client.subscription("news").orElseThrow().presenceBlocking();
                } catch (RuntimeException ex) {
                    refused.add(ex);
                }
            }
        });
        assertThat(await(refused, 1).get(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("asynchronous");
        assertThat(client.subscription("news").orElseThrow().presence().get()).containsKey(client.clientId());
    }

    @Test
    void serverSideUnsubscribeEndsTheSubscriptionUntilSubscribedAgain() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        RotorClient client = connected("frank", events);
        Subscription news = client.subscribe("news", events);
        news.ready().get();

        fixture.api.unsubscribe("news", "frank").join();
        assertThat(await(events.unsubscribed, 1)).containsExactly("news");
        assertThat(news.state()).isEqualTo(Subscription.State.UNSUBSCRIBED);
        assertThat(client.subscription("news")).isEmpty();

        news.subscribe();
        news.ready().get();
        assertThat(await(events.subscribed, 2).get(1)).isEqualTo(
                new SubscriptionListener.SubscribeSuccess("news", true, false));
        fixture.api.publish("news", "\"back\"").join();
        assertThat(await(events.messages, 1).get(0).data().toString()).isEqualTo("\"back\"");
    }

    @Test
    void callbacksKeepFrameOrderOnAMultiThreadedExecutor() throws Exception {
        start(ChannelOptions.builder());
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            Events events = new Events();
            RotorClient client = client(config(events).callbackExecutor(pool)
                    .credentials(ServerFixture.credentials("gina", "")));
            client.subscribe("news", events);
            client.connectBlocking();
            await(events.subscribed, 1);
            dev.rotor.sdk.api.Batch batch = fixture.api.batch();
            for (int i = 0; i < 50; i++) {
                batch.publish("news", Integer.toString(i));
            }
            batch.send().join();
            assertThat(await(events.messages, 50)).extracting(m -> Integer.parseInt(m.data().toString()))
                    .isSorted().hasSize(50);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A listener throwing an {@link Error} must not stop the callback executor: before, its drain caught only
     * RuntimeException, so later callbacks never ran and close() could not end the client's threads.
     */
    @Test
    void aListenerThrowingAnErrorDoesNotStopLaterCallbacksOrTheClientsThreads() throws Exception {
        start(ChannelOptions.builder());
        Set<Thread> before = Thread.getAllStackTraces().keySet();
        Events events = new Events();
        ConnectionListener throwing = new ConnectionListener() {
            @Override
            public void onConnect(ConnectEvent e) {
                throw new AssertionError("a listener's failed assertion (expected by the test)");
            }
        };
        RotorClient client = client(config(events).listener(throwing)
                .credentials(ServerFixture.credentials("olga", "")));
        Subscription news = client.subscribe("news", events);
        client.connect().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        news.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        fixture.api.publish("news", "1").join();
        assertThat(await(events.messages, 1).get(0).data().toString()).isEqualTo("1");

        List<Thread> clientThreads = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.getName().startsWith("rotor-client-")).toList();
        assertThat(clientThreads).extracting(Thread::getName)
                .contains("rotor-client-callbacks", "rotor-client-timers");
        client.close();
        Awaitility.await("the client's threads end").atMost(WAIT)
                .until(() -> clientThreads.stream().noneMatch(Thread::isAlive));
    }

    @Test
    void aSilentlyDeadConnectionIsDetectedByPingAndReplaced() throws Exception {
        start(ChannelOptions.builder());
        try (StallingProxy proxy = new StallingProxy(fixture.server.boundPort())) {
            Events events = new Events();
            RotorClient client = client(RotorClientConfig.builder(
                            "ws://127.0.0.1:" + proxy.port() + "/connection/websocket")
                    .listener(events).backoff(FAST).credentials(ServerFixture.credentials("hank", ""))
                    .pingInterval(Duration.ofMillis(300)).pongTimeout(Duration.ofSeconds(2)));
            Subscription news = client.subscribe("news", events);
            client.connectBlocking();
            news.ready().get();

            proxy.stallExisting();
            assertThat(await(events.disconnects, 1).get(0))
                    .isEqualTo(new ConnectionListener.DisconnectEvent("no ping reply", true));
            assertThat(await(events.connects, 2).get(1).reconnect()).isTrue();
            awaitMatch(events.subscribed, SubscriptionListener.SubscribeSuccess::resubscribe);
            fixture.api.publish("news", "1").join();
            assertThat(await(events.messages, 1).get(0).data().toString()).isEqualTo("1");
            assertThat(events.closed).isEmpty();
        }
    }

    /**
     * A server that stops reading, with pings off: publishes beyond {@code maxMessageSize} characters waiting to be
     * sent fail at once, and the connection ends once no write completed for {@code requestTimeout}; the client
     * reconnects. Before, the frames queued without a bound (100,000 publishes of 1 KB: up to 282 MiB) and nothing
     * ever ended the connection.
     */
    @Test
    void aServerThatStopsReadingIsCutOffAndWritesBeyondTheQueueFailAtOnce() throws Exception {
        start(ChannelOptions.builder().publish(true));
        try (StallingProxy proxy = new StallingProxy(fixture.server.boundPort())) {
            Events events = new Events();
            RotorClient client = client(RotorClientConfig.builder(
                            "ws://127.0.0.1:" + proxy.port() + "/connection/websocket")
                    .listener(events).backoff(FAST).credentials(ServerFixture.credentials("pia", ""))
                    .pingInterval(Duration.ZERO).requestTimeout(Duration.ofSeconds(2)).maxMessageSize(256 << 10));
            Subscription news = client.subscribe("news", events);
            client.connectBlocking();
            news.ready().get(WAIT.toSeconds(), TimeUnit.SECONDS);

            proxy.stopReadingFromExistingClients();
            String data = "{\"text\":\"" + "x".repeat(1000) + "\"}";
            List<Throwable> refused = new CopyOnWriteArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // until the socket buffers are full and the queue too: bounded in count and time
            for (int i = 0; i < 50_000 && refused.isEmpty() && System.nanoTime() < deadline; i++) {
                news.publish(data).exceptionally(e -> {
                    if (String.valueOf(e.getMessage()).startsWith("the server is not reading")) {
                        refused.add(e);
                    }
                    return null;
                });
            }
            Awaitility.await().atMost(WAIT).until(() -> !refused.isEmpty());
            assertThat(refused.get(0)).isExactlyInstanceOf(RotorClientException.class);

            assertThat(await(events.disconnects, 1).get(0))
                    .isEqualTo(new ConnectionListener.DisconnectEvent("server not reading", true));
            assertThat(events.errors).anySatisfy(e -> assertThat(e).hasMessage("the server read nothing for 2000 ms:"
                    + " a frame waited that long to be sent and no other write completed"));
            assertThat(await(events.connects, 2).get(1).reconnect()).isTrue();
            awaitMatch(events.subscribed, SubscriptionListener.SubscribeSuccess::resubscribe);
            news.publishBlocking("\"after\"");
            assertThat(events.closed).isEmpty();
        }
    }

    @Test
    void aRejectedTokenEndsTheClientAsTheServerAdvises() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        Credentials good = ServerFixture.credentials("ivan", "");
        RotorClient client = client(config(events)
                .credentials(new Credentials(good.user(), good.timestamp(), "", "0".repeat(64))));
        CompletableFuture<Void> first = client.connect();

        assertThat(await(events.closed, 1)).containsExactly(
                new ConnectionListener.DisconnectEvent("invalid token", false));
        assertThat(first).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
                .withCauseInstanceOf(RotorClientException.Closed.class);
        assertThat(events.connects).isEmpty();
        assertThat(events.disconnects).isEmpty();
        assertThat(client.state()).isEqualTo(RotorClient.State.CLOSED);
    }

    @Test
    void expiredCredentialsAtConnectAreReplacedFromTheProvider() throws Exception {
        start(NodeConfig.builder().connectionLifetime(60).topLevel(ChannelOptions.builder().build()));
        Events events = new Events();
        AtomicInteger issued = new AtomicInteger();
        String old = Long.toString(System.currentTimeMillis() / 1000 - 3600);
        Credentials stale = new Credentials("jane", old, "", Tokens.clientToken(ServerFixture.SECRET, "jane", old, ""));
        RotorClient client = client(config(events).credentials(() -> CompletableFuture.completedFuture(
                issued.incrementAndGet() == 1 ? stale : ServerFixture.credentials("jane", ""))));
        client.connectBlocking();

        assertThat(issued.get()).isEqualTo(2);
        assertThat(events.errors).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("expired"));
        assertThat(events.connects).singleElement().satisfies(e -> assertThat(e.reconnect()).isFalse());
        assertThat(client.state()).isEqualTo(RotorClient.State.CONNECTED);
    }

    @Test
    void withoutResubscribeADroppedSubscriptionStaysUnsubscribed() throws Exception {
        start(ChannelOptions.builder());
        Events events = new Events();
        RotorClient client = client(config(events).resubscribe(false)
                .credentials(() -> CompletableFuture.completedFuture(ServerFixture.credentials("kim", ""))));
        Subscription news = client.subscribe("news", events);
        client.connectBlocking();
        news.ready().get();

        fixture.server.node().disconnectUserLocally("kim", Disconnect.SHUTDOWN);
        await(events.connects, 2);
        assertThat(events.unsubscribed).containsExactly("news");
        assertThat(news.state()).isEqualTo(Subscription.State.UNSUBSCRIBED);
        assertThat(events.subscribed).hasSize(1);
        assertThat(fixture.server.node().hasSubscribers("news")).isFalse();
    }

    /**
     * An application slower than its server: its callback executor is blocked. The client reads the next message
     * only while fewer than {@code MAX_QUEUED_CALLBACKS} callbacks wait, so the rest of the pushes stay with the
     * server, whose queue for this client overflows {@code client_queue_max_size}: it closes the client as slow.
     * Before, the client read every push into the application's heap and the server never saw a slow client.
     */
    @Test
    void pushesAnApplicationDoesNotKeepUpWithStayWithTheServer() throws Exception {
        // a queue a reading client keeps well below, and more pushes than the client reads ahead plus the socket
        // buffers plus that queue
        start(NodeConfig.builder().clientQueueMaxSize(8 << 20));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean blocking = new AtomicBoolean();
        Executor application = task -> pool.execute(() -> {
            if (blocking.get()) {
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            task.run();
        });
        try {
            Events events = new Events();
            RotorClient client = client(config(events).credentials(ServerFixture.credentials("bob", ""))
                    .pingInterval(Duration.ZERO).callbackExecutor(application));
            client.connectBlocking();
            // counted, not recorded: tens of thousands of pushes in Events' copy-on-write lists would take seconds
            AtomicInteger received = new AtomicInteger();
            client.subscribe("news", new SubscriptionListener() {
                @Override
                public void onMessage(Message message) {
                    received.incrementAndGet();
                }
            }).ready().get(10, TimeUnit.SECONDS);
            blocking.set(true);

            String data = "{\"text\":\"" + "x".repeat(1000) + "\"}";
            int publications = 60_000;
            for (int sent = 0; sent < publications; sent += 100) {
                var batch = fixture.api.batch();
                for (int i = 0; i < 100; i++) {
                    batch.publish("news", data);
                }
                batch.send().get(10, TimeUnit.SECONDS);
            }
            Awaitility.await("the server closes the client as slow").atMost(WAIT)
                    .until(() -> fixture.server.node().numClients() == 0);

            // the client learns it once it reads again: from the close frame (slow) if the server could still write
            // it behind the queued pushes, else from the connection's end
            release.countDown();
            await(events.disconnects, 1);
            assertThat(received.get()).as("pushes that reached the application")
                    .isGreaterThanOrEqualTo(RealRotorClient.MAX_QUEUED_CALLBACKS).isLessThan(publications);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
