package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import dev.rotor.auth.Hmac;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
}
