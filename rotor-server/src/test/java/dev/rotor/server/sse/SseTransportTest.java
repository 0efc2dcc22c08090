package dev.rotor.server.sse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Pushes;
import dev.rotor.protocol.RawJson;
import dev.rotor.timer.Timers;
import dev.rotor.transport.WriteBatch;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SseTransportTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Runnable> timers = new ArrayList<>();
    private final List<byte[]> replies = new ArrayList<>();
    private final List<Disconnect> refusals = new ArrayList<>();
    private final SseTransport transport = new SseTransport(channel, new Metrics(), recordingTimers(),
            new SseTransport.Handshake() {
                @Override
                public void replied(byte[] reply) {
                    replies.add(reply);
                }

                @Override
                public void refused(Disconnect disconnect) {
                    refusals.add(disconnect);
                }
            });

    private Timers recordingTimers() {
        return (task, delay, unit) -> {
            timers.add(task);
            return () -> { };
        };
    }

    @AfterEach
    void finish() {
        assertFalse(channel.finish());
    }

    private static byte[] message(String channel, String uid, String data) {
        return Pushes.message(new Message(uid, channel, RawJson.of(data), null, null));
    }

    /** The next outbound message as text, released. */
    private String nextWritten() {
        Object msg = channel.readOutbound();
        assertThat(msg).isInstanceOf(HttpContent.class);
        ByteBuf content = ((HttpContent) msg).content();
        try {
            return content.toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    @Test
    void pushesWaitForTheStreamThenGoOutAsEventsInOrder() {
        byte[] first = message("news", "m1", "1");
        transport.write(first);
        transport.write(message("news", "m2", "2"));
        channel.runPendingTasks();
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(transport.queuedBytes()).isEqualTo(2L * first.length);

        transport.start(new StreamPositions(List.of("news"), List.of(false)));
        assertThat(nextWritten()).isEqualTo("data: {\"method\":\"message\",\"body\":{\"uid\":\"m1\","
                + "\"channel\":\"news\",\"data\":1}}\n\n");
        assertThat(nextWritten()).contains("\"uid\":\"m2\"");
        assertThat(transport.queuedBytes()).isZero();

        WriteBatch batch = new WriteBatch();
        transport.write(message("news", "m3", "3"), batch);
        batch.run();
        channel.runPendingTasks();
        assertThat(nextWritten()).contains("\"uid\":\"m3\"");
    }

    @Test
    void messagesOfRecoverChannelsCarryTheStreamsId() {
        StreamPositions positions = new StreamPositions(List.of("news", "live"), List.of(true, false));
        positions.subscribed("news", "m0", List.of(), false, null);
        transport.start(positions);
        transport.write(message("news", "m1", "1"));
        transport.write(message("live", "l1", "1"));
        channel.runPendingTasks();
        assertThat(nextWritten()).startsWith("id: 2:m1,\ndata: {\"method\":\"message\"");
        assertThat(nextWritten()).startsWith("data: {\"method\":\"message\"");
    }

    @Test
    void theHandshakeReplyGoesToTheHandshakeAndACloseBeforeTheStreamIsARefusal() {
        byte[] reply = "[{\"method\":\"connect\"},{\"method\":\"subscribe\"}]".getBytes(StandardCharsets.UTF_8);
        transport.write(reply);
        transport.write(message("news", "m1", "1"));
        channel.runPendingTasks();
        assertThat(replies).containsExactly(reply);
        transport.close(Disconnect.INVALID_TOKEN);
        transport.close(Disconnect.SLOW);
        channel.runPendingTasks();
        assertThat(refusals).containsExactly(Disconnect.INVALID_TOKEN);
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(transport.queuedBytes()).isZero();
    }

    @Test
    void aServerCloseDropsWhatIsQueuedAndEndsTheStreamWithTheAdvice() {
        transport.start(new StreamPositions(List.of("news"), List.of(false)));
        transport.write(message("news", "m1", "1"));
        transport.close(Disconnect.SLOW);
        channel.runPendingTasks();
        assertThat(nextWritten()).isEqualTo("data: {\"method\":\"disconnect\",\"body\":{\"reason\":\"slow\","
                + "\"reconnect\":false}}\n\n");
        assertThat((Object) channel.readOutbound()).isEqualTo(LastHttpContent.EMPTY_LAST_CONTENT);
        assertThat(channel.isOpen()).isFalse();
        // the deadline that closes a connection whose peer does not take the last event
        assertThat(timers).hasSize(1);
        transport.write(message("news", "m2", "2"));
        assertThat(refusals).isEmpty();
    }

    @Test
    void pingsAreCommentsOnceTheStreamRuns() {
        assertThat(transport.ping(f -> { })).isFalse();
        transport.start(new StreamPositions(List.of("news"), List.of(false)));
        assertThat(transport.ping(f -> { })).isTrue();
        assertThat(nextWritten()).isEqualTo(": ping\n\n");
        transport.markClosed();
        assertThat(transport.ping(f -> { })).isFalse();
    }

    @Test
    void lineBreaksInTheJsonBecomeDataLines() {
        byte[] plain = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(SseTransport.dataLines(plain)).isSameAs(plain);
        assertThat(new String(SseTransport.dataLines("{\"a\":\r\n1,\r\"b\":\n\n2}".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8)).isEqualTo("{\"a\":\ndata: 1,\ndata: \"b\":\ndata: \ndata: 2}");
        assertThat(new String(SseTransport.dataLines("\n".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
                .isEqualTo("\ndata: ");
    }
}
