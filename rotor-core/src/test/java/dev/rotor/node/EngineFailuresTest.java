package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.Broker;
import dev.rotor.engine.ControlBus;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineListener;
import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.PresenceStore;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * How engine failures reach clients and API callers (client-protocol.md §5.3–§5.7 and §12.2, http-api.md §4): the
 * memory engine never fails, so these tests run the node on the memory engine with chosen operations failing as a
 * Redis engine's do when Redis is unreachable.
 */
class EngineFailuresTest {
    /** The engine text of a failed operation, as a Redis client would report it. */
    private static final String DOWN = "dial tcp 127.0.0.1:6379: connect: connection refused";

    /** Engine operations that can be made to fail. */
    private enum Op { SUBSCRIBE, UNSUBSCRIBE, PUBLISH, CHANNELS, ADD_PRESENCE, PRESENCE, HISTORY }

    /** The operations failing right now; changed by tests between commands. */
    private final Set<Op> failing = EnumSet.noneOf(Op.class);
    @RegisterExtension
    final TestNode node = TestNode.builder().config(b -> b.insecure(true))
            .topLevel(o -> o.publish(true).presence(true).historySize(10).historyLifetime(60))
            .engine(FailingEngine::new).start();
    private final List<TestClient> clients = new ArrayList<>();

    /** Fails without calling the memory engine when {@code op} is failing, else runs {@code real}. */
    private <T> CompletionStage<T> maybeFail(Op op, Supplier<CompletionStage<T>> real) {
        return failing.contains(op) ? CompletableFuture.failedFuture(new IOException(DOWN)) : real.get();
    }

    /** The memory engine, with the operations in {@link #failing} failing. */
    private final class FailingEngine implements Engine {
        private final MemoryEngine memory;

        FailingEngine(MemoryEngine memory) {
            this.memory = memory;
        }

        @Override public String name() { return "failing memory"; }
        @Override public CompletionStage<Void> start(EngineListener listener) { return memory.start(listener); }
        @Override public ControlBus controlBus() { return memory.controlBus(); }
        @Override public void close() { memory.close(); }

        @Override
        public Broker broker() {
            Broker real = memory.broker();
            return new Broker() {
                @Override public CompletionStage<Void> publish(Message m, HistoryOptions h) {
                    return maybeFail(Op.PUBLISH, () -> real.publish(m, h));
                }
                @Override public CompletionStage<Void> publishJoin(String ch, ClientInfo i) { return real.publishJoin(ch, i); }
                @Override public CompletionStage<Void> publishLeave(String ch, ClientInfo i) { return real.publishLeave(ch, i); }
                @Override public CompletionStage<Void> subscribe(String ch) {
                    return maybeFail(Op.SUBSCRIBE, () -> real.subscribe(ch));
                }
                @Override public CompletionStage<Void> unsubscribe(String ch, HistoryOptions h) {
                    return maybeFail(Op.UNSUBSCRIBE, () -> real.unsubscribe(ch, h));
                }
                @Override public CompletionStage<List<String>> channels() { return maybeFail(Op.CHANNELS, real::channels); }
            };
        }

        @Override
        public PresenceStore presenceStore() {
            PresenceStore real = memory.presenceStore();
            return new PresenceStore() {
                @Override public CompletionStage<Void> addPresence(String ch, String c, ClientInfo i, int expire) {
                    return maybeFail(Op.ADD_PRESENCE, () -> real.addPresence(ch, c, i, expire));
                }
                @Override public CompletionStage<Void> removePresence(String ch, String c) { return real.removePresence(ch, c); }
                @Override public CompletionStage<Map<String, ClientInfo>> presence(String ch) {
                    return maybeFail(Op.PRESENCE, () -> real.presence(ch));
                }
            };
        }

        @Override
        public HistoryStore historyStore() {
            HistoryStore real = memory.historyStore();
            return new HistoryStore() {
                @Override public CompletionStage<List<Message>> history(String ch, int limit) { return maybeFail(Op.HISTORY, () -> real.history(ch, limit)); }
                @Override public CompletionStage<String> lastMessageId(String ch) { return real.lastMessageId(ch); }
            };
        }
    }

    /** A connected client. */
    private TestClient client() {
        TestClient c = node.connectedClient("u");
        clients.add(c);
        return c;
    }

    private void send(int client, String frame) {
        clients.get(client).send(frame);
    }

    @Test
    void aFailedEngineSubscriptionIsFatalWithReconnect() throws Exception {
        TestClient t = client();
        failing.add(Op.SUBSCRIBE);
        send(0, "{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
        assertThat(Disconnect.INTERNAL_SERVER_ERROR.toJson()).isEqualTo("{\"reason\":\"internal server error\",\"reconnect\":true}");
    }

    @Test
    void aFailedPresenceWriteAtSubscribeIsFatalToo() throws Exception {
        TestClient t = client();
        failing.add(Op.ADD_PRESENCE);
        send(0, "{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.closedWith()).isEqualTo(Disconnect.INTERNAL_SERVER_ERROR);
    }

    @Test
    void clientCommandsReportEngineFailuresWithTheirAdvice() throws Exception {
        TestClient t = client();
        send(0, "{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.next()).contains("\"status\":true");
        failing.addAll(EnumSet.of(Op.PUBLISH, Op.PRESENCE, Op.HISTORY, Op.UNSUBSCRIBE));
        send(0, "{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"c\",\"data\":1}}");
        assertThat(t.next()).isEqualTo("{\"uid\":\"2\",\"method\":\"publish\",\"error\":\"" + DOWN + "\",\"advice\":\"retry\","
                + "\"body\":{\"channel\":\"c\",\"status\":false}}");
        send(0, "{\"uid\":\"3\",\"method\":\"presence\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.next()).isEqualTo("{\"uid\":\"3\",\"method\":\"presence\",\"error\":\"internal server error\","
                + "\"advice\":\"retry\",\"body\":{\"channel\":\"c\",\"data\":null}}");
        send(0, "{\"uid\":\"4\",\"method\":\"history\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.next()).isEqualTo("{\"uid\":\"4\",\"method\":\"history\",\"error\":\"internal server error\","
                + "\"advice\":\"retry\",\"body\":{\"channel\":\"c\",\"data\":null}}");
        send(0, "{\"uid\":\"5\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"c\"}}");
        assertThat(t.next()).isEqualTo("{\"uid\":\"5\",\"method\":\"unsubscribe\",\"error\":\"internal server error\","
                + "\"body\":{\"channel\":\"c\",\"status\":false}}");
        assertThat(t.closedWith()).isNull();
    }

    @Test
    void apiCommandsReportEngineFailuresWithoutAdvice() throws Exception {
        failing.addAll(EnumSet.of(Op.PUBLISH, Op.PRESENCE, Op.HISTORY, Op.CHANNELS));
        assertThat(node.api("[{\"method\":\"publish\",\"params\":{\"channel\":\"c\",\"data\":1}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"a\",\"b\"],\"data\":1}},"
                + "{\"method\":\"presence\",\"params\":{\"channel\":\"c\"}},"
                + "{\"method\":\"history\",\"params\":{\"channel\":\"c\"}},"
                + "{\"method\":\"channels\"}]"))
                .isEqualTo("[{\"method\":\"publish\",\"error\":\"" + DOWN + "\",\"body\":null},"
                        + "{\"method\":\"broadcast\",\"error\":\"" + DOWN + "\",\"body\":null},"
                        + "{\"method\":\"presence\",\"error\":\"internal server error\",\"body\":{\"channel\":\"c\",\"data\":null}},"
                        + "{\"method\":\"history\",\"error\":\"internal server error\",\"body\":{\"channel\":\"c\",\"data\":null}},"
                        + "{\"method\":\"channels\",\"error\":\"internal server error\",\"body\":{\"data\":null}}]");
    }
}
