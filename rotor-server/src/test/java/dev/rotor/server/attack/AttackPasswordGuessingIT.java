package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Password guessing on the web login {@code /auth/} (issue 10): {@value #GUESSERS} connections post wrong passwords
 * as fast as they are answered for {@link #GUESSING}. The server must throttle them: at most {@value #MAX_CHECKED}
 * wrong passwords answered as such in that time (unthrottled, thousands a second are). The right password must still
 * work afterwards (a throttle may delay it, but must let it through within 90 s), and the bystanders are
 * unharmed.
 */
class AttackPasswordGuessingIT {
    private static final int GUESSERS = 4;
    private static final Duration GUESSING = Duration.ofSeconds(5);
    /** 20 guesses a second for everyone together. */
    private static final int MAX_CHECKED = 100;
    private static final String PASSWORD = "attack-right-password";

    @TempDir
    Path dir;

    @Test
    void passwordGuessingIsThrottledAndTheRightPasswordStillWorks() throws Exception {
        try (RotorProcess server = Attack.server(dir, "\"web\": true, \"admin_password\": \"" + PASSWORD
                + "\", \"admin_secret\": \"attack-admin-secret\"");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET)) {
            URI auth = URI.create("http://127.0.0.1:" + server.port() + "/auth/");
            AtomicInteger checked = new AtomicInteger();
            AtomicInteger accepted = new AtomicInteger();
            ExecutorService guessers = Executors.newFixedThreadPool(GUESSERS);
            long deadline = System.nanoTime() + GUESSING.toNanos();
            List<Future<?>> running = new ArrayList<>();
            for (int g = 0; g < GUESSERS; g++) {
                int guesser = g;
                running.add(guessers.submit(() -> {
                    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
                    for (int i = 0; System.nanoTime() < deadline; i++) {
                        Duration left = Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime()));
                        try {
                            int status = login(http, auth, "guess-" + guesser + "-" + i, left).statusCode();
                            if (status == 400) {
                                checked.incrementAndGet();
                            } else if (status == 200) {
                                accepted.incrementAndGet();
                            }
                        } catch (java.io.IOException e) {
                            // timed out or refused: not a checked guess
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : running) {
                f.get();
            }
            guessers.shutdown();
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            assertAll(
                    () -> assertThat(accepted.get()).as("wrong passwords accepted").isZero(),
                    () -> assertThat(checked.get()).as("wrong passwords answered as such in %s", GUESSING)
                            .isLessThanOrEqualTo(MAX_CHECKED),
                    () -> await("the right password works after the attack").atMost(Duration.ofSeconds(90))
                            .pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                                HttpResponse<String> r = login(http, auth, PASSWORD, Duration.ofSeconds(40));
                                return r.statusCode() == 200 && r.body().contains("\"token\"");
                            }),
                    bystanders::assertUnharmed);
        }
    }

    /**
     * A malformed form (400, its password never checked) holds no throttle slot: before, every one left its address
     * refused with 429 until restart, and {@code maxPending} of them (100) refused every address.
     */
    @Test
    void malformedFormsDoNotLockTheLoginOut() throws Exception {
        try (RotorProcess server = Attack.server(dir, "\"web\": true, \"admin_password\": \"" + PASSWORD
                + "\", \"admin_secret\": \"attack-admin-secret\"")) {
            URI auth = URI.create("http://127.0.0.1:" + server.port() + "/auth/");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            for (int i = 0; i < 120; i++) {
                assertThat(login(http, auth, "%zz", Duration.ofSeconds(10)).statusCode()).as("malformed form %d", i)
                        .isEqualTo(400);
            }
            HttpResponse<String> right = login(http, auth, PASSWORD, Duration.ofSeconds(10));
            assertThat(right.statusCode()).isEqualTo(200);
            assertThat(right.body()).contains("\"token\"");
        }
    }

    private static HttpResponse<String> login(HttpClient http, URI auth, String password, Duration timeout)
            throws java.io.IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(auth).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("password=" + password)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
