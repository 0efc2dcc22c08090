package dev.rotor.sdk.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The realtime client before any socket: what it does without a server (no network is used). */
class RotorClientTest {

    /**
     * A credentials provider whose future never completes fails the attempt after {@code requestTimeout} like a
     * failing provider: reported, then retried after the backoff. Before, the client stayed CONNECTING for ever
     * without a word.
     */
    @Test
    void aCredentialsProviderThatNeverAnswersFailsTheAttemptAfterTheRequestTimeout() {
        AtomicInteger asked = new AtomicInteger();
        Events events = new Events();
        // port 9 (discard) is never dialled: no credentials ever arrive
        RotorClient client = RotorClient.create(RotorClientConfig.builder("ws://127.0.0.1:9/connection/websocket")
                .credentials(() -> {
                    asked.incrementAndGet();
                    return new CompletableFuture<>();
                })
                .requestTimeout(Duration.ofMillis(200)).backoff(new Backoff(Duration.ofMillis(50),
                        Duration.ofMillis(50), 1, 0, 0)).listener(events).build());
        try {
            client.connect();
            RotorClientException e = Events.awaitMatch(events.errors, x -> true);
            assertThat(e).hasMessageContaining("credentials provider got no result within 200 ms");
            Awaitility.await().atMost(Events.WAIT).until(() -> asked.get() >= 2);
            assertThat(client.state()).isEqualTo(RotorClient.State.CONNECTING);
        } finally {
            client.close();
        }
    }
}
