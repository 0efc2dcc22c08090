package dev.rotor.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PayloadsTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void stampedBodyIsValidJsonOfTheRequestedShapeAndSize() throws Exception {
        Payloads p = Payloads.publishes(List.of("a", "b", "c"), 100);
        long now = System.nanoTime();
        JsonNode body = json.readTree(p.stamp(now));
        assertThat(body.isArray()).isTrue();
        assertThat(body).hasSize(3);
        assertThat(p.commands()).isEqualTo(3);
        assertThat(body.get(1).get("method").asText()).isEqualTo("publish");
        assertThat(body.get(1).get("params").get("channel").asText()).isEqualTo("b");
        int dataLength = json.writeValueAsBytes(body.get(0).get("params").get("data")).length;
        assertThat(dataLength).isBetween(90, 110);
    }

    @Test
    void singleCommandBodyIsAnObject() throws Exception {
        JsonNode body = json.readTree(Payloads.publishes(List.of("news"), 100).constant());
        assertThat(body.isObject()).isTrue();
        assertThat(body.get("params").get("channel").asText()).isEqualTo("news");
    }

    @Test
    void scanFindsEveryStampedTimestampInAPushFrame() {
        Payloads p = Payloads.publishes(List.of("x"), 100);
        long t1 = System.nanoTime();
        long t2 = t1 + 123_456_789;
        // what a server sends: the data object embedded in message pushes, two in one array frame
        String data1 = dataOf(p.stamp(t1));
        String data2 = dataOf(p.stamp(t2));
        String frame = "[{\"method\":\"message\",\"body\":{\"uid\":\"u\",\"channel\":\"x\",\"data\":" + data1
                + "}},{\"method\":\"message\",\"body\":{\"uid\":\"v\",\"channel\":\"x\",\"data\":" + data2 + "}}]";
        ByteBuf buf = Unpooled.copiedBuffer(frame, StandardCharsets.UTF_8);
        List<Long> found = new ArrayList<>();
        assertThat(Payloads.scan(buf, found::add)).isEqualTo(2);
        assertThat(found).containsExactly(t1, t2);
        assertThat(buf.readerIndex()).isZero();
        buf.release();
    }

    @Test
    void scanIgnoresFramesWithoutTimestamps() {
        ByteBuf buf = Unpooled.copiedBuffer("{\"method\":\"subscribe\",\"body\":{\"status\":true,\"ts\":\"x\"}}",
                StandardCharsets.UTF_8);
        assertThat(Payloads.scan(buf, v -> { })).isZero();
        buf.release();
    }

    private String dataOf(byte[] body) {
        try {
            return json.writeValueAsString(json.readTree(body).get("params").get("data"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
