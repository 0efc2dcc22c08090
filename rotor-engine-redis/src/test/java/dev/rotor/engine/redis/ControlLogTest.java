package dev.rotor.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.engine.EngineListener;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.ControlMessage;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.RawJson;
import dev.rotor.testing.LogCapture;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ControlLog}'s gap and watermark with its reads of the log held by hand: a backend whose scripts answer when
 * the test says so, recording where each read starts. The log on a real Redis: {@code RedisControlLogIT}.
 */
class ControlLogTest {
    private final List<String> readsFrom = new ArrayList<>();
    private final List<CompletableFuture<Object>> answers = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    @RegisterExtension
    final LogCapture warnings = new LogCapture(ControlLog.class);

    @AfterEach
    void stop() {
        scheduler.shutdownNow();
    }

    /** A backend whose only use here, the log's scripts on the master of its slot, waits for {@link #answers}. */
    private RedisBackend heldReads() {
        MasterConnection master = (MasterConnection) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MasterConnection.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("script")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    CompletableFuture<Object> answer = new CompletableFuture<>();
                    synchronized (readsFrom) {
                        readsFrom.add(new String(((byte[][]) args[3])[0], StandardCharsets.UTF_8));
                        answers.add(answer);
                    }
                    return answer;
                });
        return (RedisBackend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {RedisBackend.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("onMaster")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    @SuppressWarnings("unchecked")
                    var command = (java.util.function.Function<MasterConnection, CompletionStage<?>>) args[1];
                    return command.apply(master);
                });
    }

    /** The read script's answer for an empty log. */
    private static List<Object> emptyLog() {
        List<Object> reply = new ArrayList<>();
        reply.add(null);
        reply.add(null);
        reply.add(new ArrayList<>());
        return reply;
    }

    private void schedulerIdle() throws Exception {
        scheduler.submit(() -> { }).get(5, TimeUnit.SECONDS);
    }

    @Test
    void aLossWhileARecoveryReadsKeepsTheGapOpenForTheNextRecovery() throws Exception {
        ControlLog log = new ControlLog(new RedisNames("centrifugo"), scheduler, () -> null);
        RedisBackend shard = heldReads();
        log.started(shard);
        answers.get(0).complete(emptyLog()); // the watermark: 0-0
        log.lost();
        CompletableFuture<Void> first = log.resubscribed(shard);
        assertThat(readsFrom.get(1)).isEqualTo("0-1");

        log.lost(); // the PUB/SUB connection drops again while the recovery reads
        answers.get(1).complete(emptyLog());
        schedulerIdle();
        // Lettuce subscribes again by itself: a message sent after the second loss comes before the report
        assertThat(log.live(new StreamId(5000, 0))).isTrue();
        CompletableFuture<Void> second = log.resubscribed(shard);

        assertThat(readsFrom.get(2)).as("the gap of the second loss is read too").isEqualTo("0-1");
        assertThat(first).as("the first recovery was given up, not ended").isNotDone();
        assertThat(second).isSameAs(first);
        answers.get(2).complete(emptyLog());
        assertThat(second).succeedsWithin(5, TimeUnit.SECONDS);
        assertThat(log.live(new StreamId(5000, 0))).as("applied once").isFalse();
    }

    @Test
    void liveIdsRememberedDuringAGapStopAtTheBoundAndTheRecoverySaysSo() throws Exception {
        ControlLog log = new ControlLog(new RedisNames("centrifugo"), scheduler, () -> null);
        RedisBackend shard = heldReads();
        log.started(shard);
        answers.get(0).complete(emptyLog());
        log.lost();
        int beyond = ControlLog.MAX_REMEMBERED + 10;
        for (int i = 1; i <= beyond; i++) {
            assertThat(log.live(new StreamId(i, 0))).isTrue(); // whoever writes to Redis can send without end
        }
        log.resubscribed(shard);
        answers.get(1).complete(emptyLog());
        assertThat(log.pending()).succeedsWithin(5, TimeUnit.SECONDS);

        assertThat(warnings.messages()).anyMatch(m -> m.startsWith("Redis: more control messages arrived during a"
                + " recovery than it remembers (" + ControlLog.MAX_REMEMBERED + ")"));
        assertThat(log.live(new StreamId(1, 0))).as("remembered: applied once").isFalse();
        assertThat(log.live(new StreamId(beyond, 0))).as("past the bound: not remembered").isTrue();
    }

    @Test
    void aLiveMessageAfterARecoveryMovesTheWatermark() throws Exception {
        ControlLog log = new ControlLog(new RedisNames("centrifugo"), scheduler, () -> null);
        RedisBackend shard = heldReads();
        log.started(shard);
        answers.get(0).complete(emptyLog());
        assertThat(log.live(new StreamId(7, 0))).isTrue();
        log.lost();
        log.resubscribed(shard);
        answers.get(1).complete(emptyLog());
        assertThat(log.pending()).succeedsWithin(5, TimeUnit.SECONDS);

        assertThat(log.live(new StreamId(9, 0))).isTrue();
        log.lost();
        log.resubscribed(shard);

        assertThat(readsFrom).containsExactly("+", "7-1", "9-1");
    }

    /** A full page of the log: {@link ControlLog#PAGE} entries with ids {@code from-0} on, each a control message. */
    private static List<Object> fullPage(long from) {
        byte[] message = WireCodec.encodeControl(new ControlMessage("another-node", "disconnect",
                RawJson.of("{\"user\":\"u\"}")));
        List<Object> entries = new ArrayList<>();
        for (long i = from; i < from + ControlLog.PAGE; i++) {
            entries.add(List.of(bytes(i + "-0"), List.of(bytes("m"), message)));
        }
        List<Object> reply = new ArrayList<>();
        reply.add(bytes("1-0"));
        reply.add(bytes((from + ControlLog.PAGE - 1) + "-0"));
        reply.add(entries);
        return reply;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void oneRecoveryStopsAfterItsBoundWhileAppendsGoOnAndSaysSo() throws Exception {
        AtomicInteger applied = new AtomicInteger();
        EngineListener counting = new EngineListener() {
            @Override public void onMessage(Message message) { }
            @Override public void onJoin(String channel, ClientInfo info) { }
            @Override public void onLeave(String channel, ClientInfo info) { }
            @Override public void onControl(ControlMessage message) { applied.incrementAndGet(); }
            @Override public void onAdmin(ControlMessage message) { }
        };
        ControlLog log = new ControlLog(new RedisNames("centrifugo"), scheduler, () -> counting);
        RedisBackend shard = heldReads();
        log.started(shard);
        answers.get(0).complete(emptyLog());
        log.lost();
        CompletableFuture<Void> recovery = log.resubscribed(shard);
        // every read finds a full page: whoever writes to Redis appends as fast as the node reads
        int pages = (ControlLog.MAX_RECOVERED + ControlLog.PAGE - 1) / ControlLog.PAGE;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (int read = 1; !recovery.isDone() && read <= pages + 1; read++) {
            while (answersMade() <= read && !recovery.isDone()) {
                assertThat(System.nanoTime() - deadline).as("the next read in time").isNegative();
                LockSupport.parkNanos(100_000);
            }
            if (!recovery.isDone()) {
                answer(read).complete(fullPage(1 + (long) (read - 1) * ControlLog.PAGE));
            }
        }
        assertThat(recovery).succeedsWithin(5, TimeUnit.SECONDS);

        assertThat(answersMade()).as("the reads at start and of the recovery").isEqualTo(1 + pages);
        assertThat(applied.get()).isEqualTo(pages * ControlLog.PAGE).isGreaterThanOrEqualTo(ControlLog.MAX_RECOVERED);
        assertThat(warnings.messages()).anyMatch(m -> m.contains("it stopped after " + ControlLog.MAX_RECOVERED
                + " messages"));
    }

    private CompletableFuture<Object> answer(int read) {
        synchronized (readsFrom) {
            return answers.get(read);
        }
    }

    private int answersMade() {
        synchronized (readsFrom) {
            return answers.size();
        }
    }
}
