package dev.rotor.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.protocol.Disconnect;
import dev.rotor.transport.RecordingTransport;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Which token a session accepts where, and names that are not well-formed text, on a node in secure mode without
 * sockets (docs/security.md, "Tokens" and "Unicode").
 */
class ClientTokensTest {
    /** 256 bits, so nimbus's HS256 signer accepts it. */
    private static final String SECRET = "a-secret-of-at-least-thirty-two-bytes";

    private final List<RecordingTransport> transports = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private MemoryEngine engine;
    private Node node;

    @BeforeEach
    void startNode() throws Exception {
        scheduler = Executors.newSingleThreadScheduledExecutor();
        engine = new MemoryEngine();
        node = new Node(NodeConfig.builder().secret(SECRET).build(), engine, new Metrics(), scheduler,
                Clock.systemUTC());
        node.start().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stopNode() {
        node.shutdown();
        engine.close();
        scheduler.shutdownNow();
        transports.forEach(RecordingTransport::assertExhausted);
    }

    private static String jwt(String claims) throws JOSEException {
        JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(claims));
        jws.sign(new MACSigner(SECRET.getBytes(StandardCharsets.UTF_8)));
        return jws.serialize();
    }

    private record Session(ClientSession session, RecordingTransport transport) {
        String call(String frame) throws InterruptedException {
            session.handleFrame(frame.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
            return transport.next();
        }

        Disconnect closedBy(String frame) {
            session.handleFrame(frame.getBytes(StandardCharsets.UTF_8)).toCompletableFuture().join();
            return transport.closedWith();
        }
    }

    private Session open() {
        RecordingTransport t = new RecordingTransport();
        transports.add(t);
        return new Session(node.openSession(t), t);
    }

    private static String connect(String token) {
        return "{\"method\":\"connect\",\"params\":{\"token\":\"" + token + "\"}}";
    }

    @Test
    void aChannelTokenOrAnAmbiguousOneIsRefusedAtConnect() throws Exception {
        assertThat(open().closedBy(connect(jwt("{\"client\":\"c-1\",\"channel\":\"$secret\"}"))))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(open().closedBy(connect(jwt("{\"channel\":\"$secret\"}")))).isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(open().closedBy(connect(jwt("{\"sub\":\"42\",\"client\":\"c-1\"}"))))
                .isEqualTo(Disconnect.INVALID_TOKEN);
        assertThat(open().call(connect(jwt("{\"sub\":\"42\"}")))).contains("\"expired\":false");
    }

    @Test
    void aConnectionTokenIsRefusedAsAPrivateChannelSign() throws Exception {
        Session s = open();
        String reply = s.call(connect(jwt("{\"sub\":\"42\"}")));
        String client = reply.replaceAll(".*\"client\":\"([^\"]+)\".*", "$1");
        String subscribe = "{\"method\":\"subscribe\",\"params\":{\"channel\":\"$secret\",\"sign\":\"%s\"}}";

        assertThat(s.call(subscribe.formatted(jwt("{\"sub\":\"42\"}")))).contains("\"error\":\"permission denied\"");
        assertThat(s.call(subscribe.formatted(jwt("{\"sub\":\"42\",\"client\":\"" + client
                + "\",\"channel\":\"$secret\"}")))).contains("\"error\":\"permission denied\"");
        assertThat(s.call(subscribe.formatted(jwt("{\"client\":\"" + client + "\",\"channel\":\"$secret\"}"))))
                .contains("\"status\":true");
    }

    @Test
    void anExpOfZeroOrBelowIsExpired() throws Exception {
        for (String exp : new String[] {"0", "-1", "-9223372036854775808"}) {
            assertThat(open().call(connect(jwt("{\"sub\":\"42\",\"exp\":" + exp + "}"))))
                    .as("exp %s", exp).contains("\"client\":\"\",\"expires\":true,\"expired\":true");
        }
    }

    @Test
    void aLoneSurrogateInAnyNameClosesWithInvalidMessage() throws Exception {
        Session s = open();
        s.call(connect(jwt("{\"sub\":\"42\"}")));
        assertThat(s.closedBy("{\"method\":\"subscribe\",\"params\":{\"channel\":\"pub:\\ud800\"}}"))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
        assertThat(engine.broker().channels().toCompletableFuture().join()).isEmpty();
        assertThat(open().closedBy("{\"method\":\"connect\",\"params\":{\"user\":\"\\udc00\",\"token\":\"x\"}}"))
                .isEqualTo(Disconnect.INVALID_MESSAGE);
    }
}
