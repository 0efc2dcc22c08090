package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import dev.rotor.auth.Hmac;
import dev.rotor.testkit.RawHttp;
import dev.rotor.testkit.WsTestClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What every attack of the suite shares: the attacked server (started by {@code bin/rotor}, so with
 * {@code config/jvm.options}, and a small heap), its secret, and the time bounds of an attack. Stateless.
 */
final class Attack {
    /** Client and API secret of the attacked server. */
    static final String SECRET = "attack-suite-secret";
    /**
     * A small heap, committed and touched from the start, so the RSS measured before an attack already holds the
     * whole heap and the RSS check sees growth outside it. Direct memory gets the room a production server has
     * (by default it is capped at the heap's size, and at 128 MB Netty's refused allocations would hide a missing
     * bound instead of showing it as RSS growth).
     */
    static final String JAVA_OPTS = "-Xms128m -Xmx128m -XX:MaxDirectMemorySize=1g -XX:+AlwaysPreTouch";
    /** How long a flood goes on, unless every attacker was closed or got everything in before. */
    static final Duration MAX = Duration.ofSeconds(12);
    /** An attacker none of whose bytes the server took during the last this long of the flood was stopped. */
    static final Duration STALL = Duration.ofSeconds(3);
    private static final Pattern CLOSED_BY_BUDGET =
            Pattern.compile("(?m)^rotor_client_queue_budget_closed_total (\\S+)$");

    private Attack() {
    }

    /** Starts the server with {@code extraConfig} (JSON members, may be empty) added to the secret. */
    static RotorProcess server(Path dir, String extraConfig, String... flags) {
        String members = "\"secret\": \"" + SECRET + "\"" + (extraConfig.isEmpty() ? "" : ", " + extraConfig);
        return RotorProcess.start(dir, "{" + members + "}", JAVA_OPTS, flags);
    }

    /** A client of {@code server} that completed {@code connect} as {@code user}, its token signed by {@code secret}. */
    static WsTestClient connected(RotorProcess server, String secret, String user) {
        WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/connection/websocket"),
                Duration.ofSeconds(10));
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        ws.send("{\"uid\":\"c\",\"method\":\"connect\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\"" + ts
                + "\",\"token\":\"" + Hmac.clientToken(secret, user, ts, "") + "\"}}");
        assertThat(ws.awaitFrame(Duration.ofSeconds(10))).contains("\"method\":\"connect\"")
                .doesNotContain("\"error\":\"");
        return ws;
    }

    /**
     * A {@code uni_sse} stream of {@code channel} as {@code user} (a valid token), on a connection with a small receive
     * buffer ({@link Flood#connect}); {@code headers} (lines ending in CRLF, may be empty) are added to the request.
     * Its response head is read, nothing after it; fails unless the stream started.
     */
    static SocketChannel eventStream(RotorProcess server, String user, String channel, String headers)
            throws IOException {
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        String query = "user=" + user + "&timestamp=" + ts + "&token=" + Hmac.clientToken(SECRET, user, ts, "")
                + "&channel=" + channel;
        SocketChannel ch = Flood.connect(server.port());
        ch.write(ByteBuffer.wrap(("GET /connection/uni_sse?" + query + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
                + "\r\n").getBytes(StandardCharsets.US_ASCII)));
        ch.socket().setSoTimeout(10_000);
        String head = RawHttp.readHead(ch.socket().getInputStream());
        assertThat(head).as("the stream of %s", user).startsWith("HTTP/1.1 200 OK");
        return ch;
    }

    /**
     * Runs {@code flood} (at most {@link #MAX}) and asserts the verdict: every attacker was cut off (closed, or not
     * read from through the last {@link #STALL}), and the bystanders are unharmed. Reports every failure at once.
     */
    static void assertCutOff(Flood flood, Bystanders bystanders) {
        List<Flood.Outcome> outcomes = flood.run(MAX, STALL);
        assertAll(
                () -> assertThat(outcomes).as("attackers cut off (bytes each got in: %s)", flood.written())
                        .doesNotContain(Flood.Outcome.UNBOUNDED),
                bystanders::assertUnharmed);
    }

    /** Opens one attacker connection, the {@code i}th, and sends its request; it never reads. */
    interface Attacker {
        SocketChannel open(int i) throws IOException;
    }

    /**
     * Opens {@code count} attackers while bystanders watch, waits (at most 20 s) until at least {@code closed} of
     * them were closed by {@code client_queue_budget}, and asserts that and the bystanders' verdict, the RSS bound
     * among it, while the attackers not closed are still held. The RSS is also sampled while waiting, and its peak
     * must keep the same bound: a closed attacker whose connection kept its queue until the close's deadline (1 s)
     * let the RSS pass it for that second. Closes every attacker at the end. The server must have {@code prometheus}
     * on (the closes are read from {@code /metrics}).
     */
    static void assertHeldToTheBudget(RotorProcess server, int count, int closed, Attacker attacker)
            throws Exception {
        List<SocketChannel> attackers = new ArrayList<>();
        try (Bystanders bystanders = Bystanders.watch(server, SECRET)) {
            long rssBefore = server.rssBytes();
            long peak = rssBefore;
            for (int i = 0; i < count && server.alive(); i++) {
                attackers.add(attacker.open(i));
                peak = Math.max(peak, server.rssBytes());
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (server.alive() && closedByBudget(server) < closed && System.nanoTime() < deadline) {
                peak = Math.max(peak, server.rssBytes());
                Thread.sleep(50);
            }
            long rssPeak = Math.max(peak, server.rssBytes());
            assertAll(
                    () -> assertThat(server.alive()).as("server alive; its log: %s", server.log()).isTrue(),
                    () -> assertThat(closedByBudget(server)).as("closed by the budget").isGreaterThanOrEqualTo(closed),
                    () -> assertThat(rssPeak).as("RSS at its peak during the attack (before: %d MB)", rssBefore >> 20)
                            .isLessThan(rssBefore + Bystanders.RSS_HEADROOM),
                    bystanders::assertUnharmed);
        } finally {
            for (SocketChannel ch : attackers) {
                ch.close();
            }
        }
    }

    /** {@code rotor_client_queue_budget_closed_total} in a fresh scrape of {@code /metrics}. */
    static double closedByBudget(RotorProcess server) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = CLOSED_BY_BUDGET.matcher(body);
        assertThat(m.find()).as("the closed counter in %s", body).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
