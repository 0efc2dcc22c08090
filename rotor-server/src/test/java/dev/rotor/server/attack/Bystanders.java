package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.testkit.ApiTestClient;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.assertj.core.api.SoftAssertions;

/**
 * The legitimate users of a server under attack, and the verdict on how they fared. While it is open: a canary
 * client, connected and subscribed to {@value #CHANNEL} before the attack, must receive every publication a
 * background publisher makes through the HTTP API (one every {@value #PUBLISH_EVERY_MS} ms); {@code /health} is
 * polled every {@value #HEALTH_EVERY_MS} ms and must answer 200 within {@link #HEALTH_TIMEOUT} each time; and the
 * server's RSS before the attack is remembered. {@link #assertUnharmed} then checks all of that plus: the process is
 * alive, its RSS is below the pre-attack RSS + {@link #RSS_HEADROOM}, and its log has no out-of-memory error.
 *
 * <p>Thread-safe: the publisher and the health poller run on their own threads and only add to {@link #harm}.
 */
final class Bystanders implements AutoCloseable {
    /** The canary's channel (top level, no namespace needed). */
    static final String CHANNEL = "canary";
    /** The most the server's RSS may grow during an attack (issue 10, point 9). */
    static final long RSS_HEADROOM = 128L * 1024 * 1024;
    static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);
    private static final long PUBLISH_EVERY_MS = 100;
    private static final long HEALTH_EVERY_MS = 250;
    private static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern SEQUENCE =
            Pattern.compile("\"channel\":\"" + CHANNEL + "\",\"data\":\\{\"n\":(\\d+)\\}");
    /** The JVM's own ({@code java.lang.OutOfMemoryError}) and Netty's ({@code OutOfDirectMemoryError}). */
    private static final Pattern OUT_OF_MEMORY = Pattern.compile("OutOf\\w*MemoryError");

    private final RotorProcess server;
    private final WsTestClient canary;
    private final long rssBefore;
    private final ScheduledExecutorService background = Executors.newScheduledThreadPool(2);
    /** Publications the API accepted, numbered from 0 in order; the canary must see each. */
    private final AtomicInteger published = new AtomicInteger();
    /** Everything that went wrong for a bystander, in the order noticed; guarded by itself. */
    private final List<String> harm = new ArrayList<>();

    private Bystanders(RotorProcess server, WsTestClient canary, long rssBefore) {
        this.server = server;
        this.canary = canary;
        this.rssBefore = rssBefore;
    }

    /**
     * Connects and subscribes the canary (with a client token signed by {@code secret}), remembers the RSS, and
     * starts publishing and polling {@code /health}. Call before the attack starts.
     */
    static Bystanders watch(RotorProcess server, String secret) {
        WsTestClient canary = Attack.connected(server, secret, "canary");
        canary.send("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"" + CHANNEL + "\"}}");
        assertThat(canary.awaitFrame(Duration.ofSeconds(10))).contains("\"status\":true");
        Bystanders b = new Bystanders(server, canary, server.rssBytes());
        ApiTestClient api = new ApiTestClient(URI.create("http://127.0.0.1:" + server.port() + "/api/"), secret);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(HEALTH_TIMEOUT)
                .build();
        b.background.scheduleWithFixedDelay(() -> b.publish(api), 0, PUBLISH_EVERY_MS, TimeUnit.MILLISECONDS);
        b.background.scheduleWithFixedDelay(() -> b.pollHealth(http), 0, HEALTH_EVERY_MS, TimeUnit.MILLISECONDS);
        return b;
    }

    private void publish(ApiTestClient api) {
        int n = published.get();
        try {
            api.publish(CHANNEL, "{\"n\":" + n + "}");
            published.incrementAndGet();
        } catch (RuntimeException | AssertionError e) {
            harmed("publication " + n + " failed: " + e.getMessage());
        }
    }

    private void pollHealth(HttpClient http) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                    + "/health")).timeout(HEALTH_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                harmed("/health answered " + r.statusCode() + " " + r.body());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            harmed("/health failed after " + (System.nanoTime() - start) / 1_000_000 + " ms: " + e);
        }
    }

    private void harmed(String what) {
        synchronized (harm) {
            harm.add(what);
        }
    }

    /**
     * Stops the publisher and the poller and asserts that the bystanders were not harmed: the server is alive, every
     * poll of {@code /health} got 200 in time, every publication was accepted and reached the canary (in order, within
     * {@link #DELIVERY_TIMEOUT}), the RSS is below the pre-attack RSS + {@link #RSS_HEADROOM}, and no out-of-memory
     * error was logged.
     */
    void assertUnharmed() {
        stop();
        SoftAssertions verdict = new SoftAssertions();
        String log = server.log();
        verdict.assertThat(OUT_OF_MEMORY.matcher(log).find()).as("an out-of-memory error in the log").isFalse();
        synchronized (harm) {
            verdict.assertThat(harm).as("what went wrong for the bystanders").isEmpty();
        }
        verdict.assertThat(server.alive()).as("the server process is alive").isTrue();
        if (server.alive()) {
            long rss = server.rssBytes();
            verdict.assertThat(rss).as("RSS after the attack (before: %d MB)", rssBefore >> 20)
                    .isLessThan(rssBefore + RSS_HEADROOM);
            verdict.check(this::assertCanaryReceivedEverything);
        }
        if (!verdict.wasSuccess()) {
            verdict.fail("the server's log: " + tail(log));
        }
        verdict.assertAll();
    }

    private void assertCanaryReceivedEverything() {
        int count = published.get();
        assertThat(count).as("publications during the attack").isPositive();
        List<Integer> received = new ArrayList<>();
        await().atMost(DELIVERY_TIMEOUT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
            for (String f; (f = canary.frames().poll()) != null; ) {
                Matcher m = SEQUENCE.matcher(f);
                if (m.find()) {
                    received.add(Integer.parseInt(m.group(1)));
                }
            }
            assertThat(canary.isClosed()).as("the canary is still connected").isFalse();
            assertThat(received).as("publications the canary received").hasSizeGreaterThanOrEqualTo(count);
        });
        assertThat(received).as("every publication, in order, exactly once")
                .isEqualTo(IntStream.range(0, count).boxed().toList());
    }

    private void stop() {
        background.shutdown();
        try {
            if (!background.awaitTermination(20, TimeUnit.SECONDS)) {
                background.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            background.shutdownNow();
        }
    }

    /** The last few KB of a log, for failure messages. */
    static String tail(String log) {
        return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
    }

    @Override
    public void close() {
        background.shutdownNow();
        canary.abort();
    }
}
