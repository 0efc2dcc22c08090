package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris (issue 10): connections that hold a file descriptor without ever proving themselves, before the
 * WebSocket upgrade (bare TCP connections; requests whose head never ends, held or trickled a byte at a time) and
 * after it (upgraded WebSockets, raw and SockJS, that never send {@code connect}). With short deadlines configured,
 * the server must close every one of them within the deadline plus {@link #SLACK}, while the bystanders are
 * unharmed.
 */
class AttackSlowlorisIT {
    /** The deadlines configured below, in seconds. */
    private static final int DEADLINE = 2;
    /** Deadlines configured short so that the test is fast: completing a request head, an idle keep-alive. */
    static final String SHORT_HTTP_DEADLINES = "\"http_read_header_timeout\": " + DEADLINE
            + ", \"http_idle_timeout\": " + DEADLINE;
    /** What the server may take beyond a deadline to close (timer wheel ticks, a loaded machine). */
    private static final Duration SLACK = Duration.ofSeconds(10);
    private static final int CONNECTIONS = 200;

    @TempDir
    Path dir;

    @Test
    void connectionsThatNeverCompleteARequestAreClosed() {
        try (RotorProcess server = Attack.server(dir, SHORT_HTTP_DEADLINES);
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Slowloris slowloris = new Slowloris()) {
            String unfinished = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
            for (int i = 0; i < CONNECTIONS; i++) {
                slowloris.hold(Flood.connect(server.port()), "");
            }
            for (int i = 0; i < CONNECTIONS / 2; i++) {
                slowloris.hold(Flood.connect(server.port()), unfinished);
                slowloris.trickle(Flood.connect(server.port()), unfinished);
            }
            int open = slowloris.awaitClosedByServer(Duration.ofSeconds(DEADLINE).plus(SLACK));
            assertAll(
                    () -> assertThat(open).as("of %d slowloris connections, still open", slowloris.size()).isZero(),
                    bystanders::assertUnharmed);
        }
    }

    @Test
    void upgradedWebSocketsThatNeverConnectAreClosed() {
        try (RotorProcess server = Attack.server(dir, SHORT_HTTP_DEADLINES + ", \"stale_connection_close_delay\": "
                + DEADLINE);
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Slowloris slowloris = new Slowloris()) {
            for (int i = 0; i < CONNECTIONS / 2; i++) {
                slowloris.hold(Flood.upgraded(server.port(), "/connection/websocket"), "");
                slowloris.hold(Flood.upgraded(server.port(), "/connection/000/" + String.format("slow%04d", i)
                        + "/websocket"), "");
            }
            int open = slowloris.awaitClosedByServer(Duration.ofSeconds(DEADLINE).plus(SLACK));
            assertAll(
                    () -> assertThat(open).as("of %d upgraded connections, still open", slowloris.size()).isZero(),
                    bystanders::assertUnharmed);
        }
    }
}
