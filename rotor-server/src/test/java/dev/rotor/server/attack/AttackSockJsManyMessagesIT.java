package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four unauthenticated SockJS {@code xhr_send} requests at once, each with a body just under
 * {@code http_max_body_size} (a sixteenth of the attacked server's 128 MB heap) that is an array of some two million
 * one-character messages: {@code ["a","a",…]}. Each decoded message costs a string and a list slot, ~52 bytes for 4
 * bytes of body, and the payload was decoded before the session was looked up. At most
 * {@code SockJsFrames.MAX_MESSAGES} are decoded; past that the send is refused with 413 (docs/security.md, "Size
 * limits").
 */
class AttackSockJsManyMessagesIT {
    /** Sends at once: their bodies fit the automatic body budget (a quarter of the heap) together. */
    private static final int SENDERS = 4;

    @TempDir
    Path dir;

    @Test
    void aSendOfMillionsOfTinyMessagesIsRefusedWithoutDecodingThem() throws Exception {
        try (RotorProcess server = Attack.server(dir, "");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET)) {
            // under the automatic http_max_body_size: a sixteenth of the heap the JVM reports (a little under 128 MB)
            int limit = 15 << 19; // 7.5 MiB
            StringBuilder body = new StringBuilder(limit).append('[');
            while (body.length() < limit - 5) {
                body.append("\"a\",");
            }
            body.append("\"a\"]");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest send = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/connection/000/anysession/xhr_send")).timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
            List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                sent.add(http.sendAsync(send, HttpResponse.BodyHandlers.ofString()));
            }
            List<String> answers = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> f : sent) {
                try {
                    HttpResponse<String> r = f.get(60, TimeUnit.SECONDS);
                    answers.add(r.statusCode() + " " + r.body());
                } catch (ExecutionException e) {
                    answers.add(e.getCause().toString());
                }
            }
            assertAll(
                    () -> assertThat(answers).containsOnly("413 Too many messages.\n").hasSize(SENDERS),
                    () -> assertThat(server.alive()).as("server alive; its log: %s", server.log()).isTrue(),
                    bystanders::assertUnharmed);
        }
    }
}
