package dev.rotor.sdk.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.protocol.Message;
import dev.rotor.testkit.HostileHttpServer;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RotorApiClientTest {

    @Test
    void endpointFollowsGocent() {
        assertThat(RotorApiClient.apiEndpoint("http://h:8000")).hasToString("http://h:8000/api/");
        assertThat(RotorApiClient.apiEndpoint("http://h:8000/api/")).hasToString("http://h:8000/api/");
        assertThat(RotorApiClient.apiEndpoint("http://h:8000/prefix")).hasToString("http://h:8000/prefix/api/");
    }

    @Test
    void invalidJsonDataIsRefusedBeforeSending() {
        RotorApiClient c = RotorApiClient.builder("http://127.0.0.1:1", "s").build();
        assertThatThrownBy(() -> c.batch().publish("ch", "{not json")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void tokensMatchTheGocentVectors() {
        assertThat(Tokens.clientToken("secret", "42", "1500000000", ""))
                .isEqualTo("0edb687d567dff2c3cae7b18513e77d3f305f9fcd0864edaf16324ae0ca0c73d");
        assertThat(Tokens.channelSign("secret", "client-1", "$public:x", ""))
                .isEqualTo("f5dd8ff6f8f14b3abf29c5b2986d2f6a0e94c0292fdda25158856e218c7da250");
        Tokens.Credentials c = Tokens.connect("secret", "42", "");
        assertThat(c.token()).isEqualTo(Tokens.clientToken("secret", "42", c.timestamp(), ""));
    }

    /** Vectors from Node's crypto in the Cent::Notary form (rotor-core's jwt/make-vectors.js). */
    @Test
    void jwtsMatchTokensFromAnIndependentImplementation() {
        assertThat(Tokens.connectionJwt("secret", "42", "{\"scope\":\"admin\"}", 4102444800L)).isEqualTo(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiIsImluZm8iOnsic2NvcGUiOiJhZG1pbiJ9LCJleHAiOjQxMDI0NDQ4MDB9"
                        + ".MGPTCP0qDxCmciCMz-DodBCEGzNL33Vuv-8KCK8EBa4");
        assertThat(Tokens.connectionJwt("secret", "42", null, 0)).isEqualTo(
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.8pc_gjOZd65q3Po0up4tzygvNGc9ykoVl9PbHUDvYVo");
        assertThat(Tokens.channelJwt("secret", "c-1", "$secret", null, 0)).isEqualTo(
                "eyJhbGciOiJIUzI1NiJ9.eyJjbGllbnQiOiJjLTEiLCJjaGFubmVsIjoiJHNlY3JldCJ9"
                        + ".qYMy0Rumhpg7yn98yr82smUHt2Zzjwe8tL9L31T89jE");
        assertThatThrownBy(() -> Tokens.connectionJwt("secret", "42", "{oops", 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tokens.connectionJwt("", "42", null, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tokens.connectionJwt("secret", "42", null, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Tokens.channelJwt("secret", "c-1", "$secret", null, -1))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** A server whose answer never ends: the client stops at maxResponseSize and closes the connection. */
    @Test
    void anEndlessAnswerFailsAtTheSizeLimit() throws Exception {
        try (HostileHttpServer server = HostileHttpServer.endless()) {
            RotorApiClient c = RotorApiClient.builder(server.address(), "s").maxResponseSize(1 << 20).build();
            assertThatThrownBy(() -> c.channels().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorApiException.class).rootCause().isInstanceOf(IOException.class)
                    .hasMessage("response body larger than 1048576 bytes");
            assertThat(server.awaitFinished(Duration.ofSeconds(10))).as("the server's writes ended").isTrue();
            assertThat(server.sent()).as("bytes sent before the client closed").isLessThan(64L << 20);
        }
    }

    /** A server that sends its answer's headers, then a byte now and then: the body has the timeout again. */
    @Test
    void aDrippingAnswerFailsWhenTheTimeoutPassesAgainAfterItsHeaders() throws Exception {
        try (HostileHttpServer server = HostileHttpServer.dripping()) {
            RotorApiClient c = RotorApiClient.builder(server.address(), "s").timeout(Duration.ofSeconds(1)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.channels().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorApiException.class).rootCause().isInstanceOf(HttpTimeoutException.class)
                    .hasMessage("response body not complete within 1000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
            assertThat(server.awaitFinished(Duration.ofSeconds(10))).as("the connection was closed").isTrue();
            assertThat(server.sent()).as("bytes dripped before the client closed").isLessThan(600);
        }
    }

    /**
     * Answers past a parse limit (BoundedJson's, for {@code maxResponseSize}) fail their request with the limit named,
     * before a tree is built, and the client goes on: the next answer is read.
     */
    @Test
    void answersPastAParseLimitFailTheirRequestAndTheClientGoesOn() throws Exception {
        try (HostileHttpServer server = HostileHttpServer.answering(
                "[{\"method\":\"channels\",\"body\":{\"data\":[" + "1".repeat(1001) + "]}}]",
                "[{\"method\":\"channels\",\"body\":{\"data\":" + "[".repeat(1004) + "]".repeat(1004) + "}}]",
                "[{\"method\":\"channels\",\"body\":{\"data\":[\"news\"]}}]")) {
            RotorApiClient c = RotorApiClient.builder(server.address(), "s").maxResponseSize(1 << 20).build();
            assertThatThrownBy(() -> c.channels().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorApiException.class)
                    .hasMessageStartingWith("response from server past a parse limit: Number value length (1001)"
                            + " exceeds the maximum allowed (1000");
            assertThatThrownBy(() -> c.channels().get(30, TimeUnit.SECONDS)).cause()
                    .isInstanceOf(RotorApiException.class)
                    .hasMessageStartingWith("response from server past a parse limit: Document nesting depth (1007)"
                            + " exceeds the maximum allowed (1006");
            assertThat(c.channels().get(30, TimeUnit.SECONDS)).containsExactly("news");
        }
    }

    /**
     * What a server may legitimately answer stays within the parse limits: a string longer than Jackson's own bound
     * (20,000,000 characters) in an answer within {@code maxResponseSize} (64 MiB by default), and the deepest
     * connection info Rotor accepts (1000 levels) in a history answer (1006 levels). Before, Jackson's defaults
     * refused both.
     */
    @Test
    void theLongestStringAndTheDeepestInfoAServerMayAnswerPass() throws Exception {
        String longString = "\"" + "x".repeat(20_000_001) + "\"";
        String deep = "[".repeat(1000) + "]".repeat(1000);
        try (HostileHttpServer server = HostileHttpServer.answering("[{\"method\":\"history\",\"body\":{\"channel\":"
                + "\"news\",\"data\":[{\"uid\":\"u1\",\"channel\":\"news\",\"data\":" + longString + ",\"info\":"
                + "{\"user\":\"42\",\"client\":\"c1\",\"default_info\":" + deep + "}}]}}]")) {
            RotorApiClient c = RotorApiClient.builder(server.address(), "s").build();
            List<Message> history = c.history("news").get(30, TimeUnit.SECONDS);
            assertThat(history).hasSize(1);
            assertThat(history.get(0).data().toString()).isEqualTo(longString);
            assertThat(history.get(0).info().defaultInfo().toString()).isEqualTo(deep);
        }
    }
}
