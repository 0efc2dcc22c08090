package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.testkit.SockJsTestClient;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Names that are not well-formed UTF-16 (docs/security.md, "Unicode"): a channel holding a lone surrogate, which a
 * lenient encoder turns into {@code pub:?}, is refused at every protocol boundary and never reaches the subscribers
 * of the look-alike channel. Raw WebSocket, SockJS and the HTTP API over real sockets.
 */
class IllFormedNamesIT extends ProtocolSupport {
    /** The lone surrogate as a JSON escape: every frame below stays ASCII on the wire. */
    private static final String BAD = "pub:\\ud800";
    private static final String LOOK_ALIKE = "pub:?";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private void startWithPubNamespace() throws Exception {
        start(config().namespace("pub", ChannelOptions.builder().publish(true).build()));
    }

    private Client lookAlikeSubscriber() throws Exception {
        Client c = connect("watcher");
        assertThat(c.call(subscribe("s", LOOK_ALIKE))).isEqualTo(subscribeOk("s", LOOK_ALIKE));
        return c;
    }

    @Test
    void theClientProtocolClosesWithInvalidMessageForAnIllFormedChannelOrUser() throws Exception {
        startWithPubNamespace();
        Client watcher = lookAlikeSubscriber();
        String[] frames = {
            subscribe("1", BAD),
            "{\"uid\":\"2\",\"method\":\"publish\",\"params\":{\"channel\":\"" + BAD + "\",\"data\":{\"x\":1}}}",
            "{\"uid\":\"3\",\"method\":\"history\",\"params\":{\"channel\":\"" + BAD + "\"}}",
            "{\"uid\":\"4\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + LOOK_ALIKE + "\",\"info\":\"\\udc00\"}}",
        };
        for (String frame : frames) {
            Client c = connect("u1");
            c.send(frame);
            assertThat(c.awaitClose()).as(frame).isEqualTo(
                    new WsTestClient.Close(3000, advice("invalid message", false)));
        }
        // before connect too: the user of a connect is a name
        WsTestClient anonymous = open();
        anonymous.send("{\"method\":\"connect\",\"params\":{\"user\":\"\\ud800\",\"timestamp\":\"1\",\"token\":\"x\"}}");
        assertThat(anonymous.awaitClose(WAIT).reason()).isEqualTo(advice("invalid message", false));

        assertTheLookAlikeGetsOnlyWhatIsPublishedToIt(watcher);
    }

    @Test
    void sockJsClosesWithInvalidMessageForALoneSurrogateInTheSockJsString() throws Exception {
        startWithPubNamespace();
        Client watcher = lookAlikeSubscriber();
        SockJsTestClient c = SockJsTestClient.open(http, "http://127.0.0.1:" + server.server().boundPort()
                + "/connection", SockJsTestClient.Transport.XHR, WAIT);
        try {
            c.send(server.connectFrame("1", "u1", ""));
            assertThat(c.nextMessage(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
            // the escape is in the SockJS JSON itself, so the decoded message holds a raw lone surrogate
            HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(c.sessionUrl() + "/xhr_send"))
                    .POST(HttpRequest.BodyPublishers.ofString("[\"{\\\"method\\\":\\\"publish\\\",\\\"params\\\":"
                            + "{\\\"channel\\\":\\\"pub:\\ud800\\\",\\\"data\\\":1}}\"]")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(sent.statusCode()).isEqualTo(204);
            assertThat(c.nextFrame(WAIT)).isEqualTo("c[3000," + quoted(advice("invalid message", false)) + "]");
        } finally {
            c.close();
        }
        assertTheLookAlikeGetsOnlyWhatIsPublishedToIt(watcher);
    }

    @Test
    void theHttpApiAnswersInvalidMessageForThatCommandAndRunsTheOthers() throws Exception {
        startWithPubNamespace();
        Client watcher = lookAlikeSubscriber();

        HttpResponse<String> r = server.api("["
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"" + BAD + "\",\"data\":\"bad\"}},"
                + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"" + BAD + "\"],\"data\":\"bad\"}},"
                + "{\"method\":\"publish\",\"params\":{\"channel\":\"" + LOOK_ALIKE + "\",\"data\":\"good\"}},"
                + "{\"method\":\"disconnect\",\"params\":{\"user\":\"\\udfff\"}}]");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("["
                + "{\"method\":\"publish\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null},"
                + "{\"method\":\"broadcast\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null},"
                + "{\"method\":\"publish\",\"error\":null,\"body\":null},"
                + "{\"method\":\"disconnect\",\"error\":\"invalid message\",\"advice\":\"fix\",\"body\":null}]");
        assertThat(watcher.next()).contains("\"data\":\"good\"");
        watcher.assertNothingMore();
        assertThat(server.api("{\"method\":\"history\",\"params\":{\"channel\":\"" + LOOK_ALIKE + "\"}}").body())
                .doesNotContain("bad");
    }

    /**
     * Publishes to the look-alike channel and checks that its subscriber receives exactly that: had a refused
     * frame reached the channel, its message would have come first (per-channel order).
     */
    private void assertTheLookAlikeGetsOnlyWhatIsPublishedToIt(Client watcher) throws Exception {
        server.api("{\"method\":\"publish\",\"params\":{\"channel\":\"" + LOOK_ALIKE + "\",\"data\":\"only\"}}");
        assertThat(watcher.next()).contains("\"channel\":\"pub:?\",\"data\":\"only\"");
        watcher.assertNothingMore();
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\\\"") + "\"";
    }
}
