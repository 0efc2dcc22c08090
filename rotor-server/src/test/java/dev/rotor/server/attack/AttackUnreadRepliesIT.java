package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.auth.Hmac;
import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.RawHttp;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.StringJoiner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large replies nobody reads, from many connections: forty clients with valid tokens each ask for a channel's
 * history of ~9 MB (under {@code client_queue_max_size}, so no one of them is slow by v1's rule) and never read.
 * Each reply waits in the server for the socket to take it; together they would hold 360 MB, nearly three times the
 * attacked server's heap (before the fix the bystanders' RSS bound failed: the replies wait as direct buffers).
 * {@code client_queue_budget} (by default a quarter of the heap) counts the queues together: the clients with the
 * largest queues are closed as slow, and the bystanders are served throughout (docs/security.md, "Client queues
 * together"). The same holds for the history a {@code uni_sse} stream recovers in its handshake, and for files of the
 * web interface.
 */
class AttackUnreadRepliesIT {
    /** The stall timeout is out of the way: the verdict comes while every attacker that was not closed is held. */
    private static final String CONFIG = "\"prometheus\": true, \"write_stall_timeout\": 120, "
            + "\"namespaces\": [{\"name\": \"hist\", \"history_size\": 150, \"history_lifetime\": 3600, "
            + "\"recover\": true}]";
    private static final String CHANNEL = "hist:big";
    private static final int MESSAGES = 150;
    private static final String DATA = "\"" + "x".repeat(60_000) + "\"";
    private static final int ATTACKERS = 40;
    private static final int TEXT = 0x1;

    @TempDir
    Path dir;

    @Test
    void manyUnreadLargeRepliesAreHeldToTheClientQueueBudget() throws Exception {
        try (RotorProcess server = Attack.server(dir, CONFIG)) {
            fillHistory(server);
            // each holds what the kernel has not taken of ~9 MB (5 MB or more, the kernel's send buffer growing up
            // to 4 MiB): at most six fit a 32 MB budget, every other attacker is closed
            Attack.assertHeldToTheBudget(server, ATTACKERS, ATTACKERS - 6, i -> {
                SocketChannel ch = Flood.upgraded(server.port(), "/connection/websocket");
                ch.write(ByteBuffer.wrap(RawHttp.clientFrame(TEXT, askForHistory("attacker" + i))));
                return ch;
            });
            assertThat(server.log()).containsPattern("Client queues count at most \\d+ bytes \\([\\d.]+ MiB\\) "
                    + "together \\(client_queue_budget\\)").contains("over client_queue_budget (");
        }
    }

    @Test
    void manyUnreadLargeRecoveriesOfEventStreamsAreHeldToTheClientQueueBudget() throws Exception {
        try (RotorProcess server = Attack.server(dir, CONFIG)) {
            fillHistory(server);
            // a position the history does not hold recovers all of it: the stream's subscribe event carries ~9 MB,
            // written when the stream starts, after the reply was handed from the session to the connection's loop
            Attack.assertHeldToTheBudget(server, ATTACKERS, ATTACKERS - 6, i -> Attack.eventStream(server,
                    "attacker" + i, CHANNEL, "Last-Event-ID: 1:gone\r\n"));
        }
    }

    @Test
    void manyUnreadLargeFilesOfTheWebInterfaceAreHeldToTheClientQueueBudget() throws Exception {
        Path web = Files.createDirectories(dir.resolve("web"));
        byte[] file = new byte[8 * 1024 * 1024];
        new Random(1).nextBytes(file);
        Files.write(web.resolve("bundle.js"), file);
        String config = "\"prometheus\": true, \"write_stall_timeout\": 120, \"admin_password\": \"attack-password\", "
                + "\"admin_secret\": \"attack-admin-secret\", \"web_path\": \"" + web + "\"";
        try (RotorProcess server = Attack.server(dir, config, "--web")) {
            byte[] request = "GET /bundle.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
            // the same for 8 MiB: at most six fit a 32 MB budget
            Attack.assertHeldToTheBudget(server, ATTACKERS, ATTACKERS - 6, i -> {
                SocketChannel ch = Flood.connect(server.port());
                ch.write(ByteBuffer.wrap(request));
                return ch;
            });
        }
    }

    /** {@value #MESSAGES} messages of ~60 KB into {@value #CHANNEL}'s history, ten per API request. */
    private static void fillHistory(RotorProcess server) {
        ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"),
                Attack.SECRET);
        for (int sent = 0; sent < MESSAGES; sent += 10) {
            StringJoiner batch = new StringJoiner(",", "[", "]");
            for (int i = 0; i < 10; i++) {
                batch.add("{\"method\":\"publish\",\"params\":{\"channel\":\"" + CHANNEL + "\",\"data\":" + DATA
                        + "}}");
            }
            HttpResponse<String> r = api.post(batch.toString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).doesNotContain("\"error\":\"");
        }
    }

    /** One client frame: connect as {@code user}, subscribe to the channel and ask for its whole history. */
    private static byte[] askForHistory(String user) {
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        String channel = "{\"channel\":\"" + CHANNEL + "\"}";
        return ("[{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\"" + ts
                + "\",\"token\":\"" + Hmac.clientToken(Attack.SECRET, user, ts, "") + "\"}},"
                + "{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":" + channel + "},"
                + "{\"uid\":\"3\",\"method\":\"history\",\"params\":" + channel + "}]")
                .getBytes(StandardCharsets.UTF_8);
    }
}
