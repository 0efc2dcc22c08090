package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.rotor.config.AutocertSettings;
import dev.rotor.testing.LogCapture;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The back-off after failed orders and the bounds on hosts and pending orders ({@link Autocert.Limits}), through the
 * real issuing path: acme4j talks to a CA stub on 127.0.0.1 that counts its requests and answers every one with HTTP
 * 500 (optionally holding them until released), so every order fails after a known number of CA requests. Time is a
 * {@link MovableClock}: back-off periods pass without waiting.
 */
class AutocertBoundsIT {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MovableClock clock = new MovableClock();
    @RegisterExtension
    final LogCapture log = new LogCapture(Autocert.class);

    /** An ACME "CA" that fails every request with 500, after {@link #gate} opens. */
    private static final class FailingCa implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        final CountDownLatch gate;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final HttpServer server;

        FailingCa(boolean held) throws Exception {
            gate = new CountDownLatch(held ? 1 : 0);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> {
                requests.incrementAndGet();
                try {
                    gate.await(WAIT.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                byte[] body = "CA down".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(500, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.setExecutor(threads);
            server.start();
        }

        String directory() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/directory";
        }

        @Override
        public void close() {
            gate.countDown();
            server.stop(0);
            threads.shutdownNow();
        }
    }

    @Test
    void aFailedHostFailsAtOnceWithoutANewOrderUntilItsDoublingBackOffEnds() throws Exception {
        try (FailingCa ca = new FailingCa(false);
             Autocert autocert = autocert(ca, new Autocert.Limits(10, 4, Duration.ofMinutes(1), Duration.ofHours(1)),
                     Duration.ofHours(1))) {
            Throwable first = completed(autocert.map("a.example", promise())).cause();
            assertThat(first).as("the CA's failure").isNotNull();
            int perOrder = ca.requests.get();
            assertThat(perOrder).isPositive();

            for (Duration step : List.of(Duration.ZERO, Duration.ofSeconds(59))) {
                clock.advance(step);
                Future<SslContext> during = autocert.map("a.example", promise());
                assertThat(during.isDone()).as("failed at once").isTrue();
                assertThat(during.cause()).isSameAs(first);
            }
            assertThat(ca.requests.get()).as("no order during the back-off").isEqualTo(perOrder);

            clock.advance(Duration.ofSeconds(2)); // one minute since the failure: ordered again
            Throwable second = completed(autocert.map("a.example", promise())).cause();
            assertThat(second).isNotNull().isNotSameAs(first);
            assertThat(ca.requests.get()).isEqualTo(2 * perOrder);

            clock.advance(Duration.ofSeconds(61)); // the second back-off is two minutes
            assertThat(autocert.map("a.example", promise()).cause()).isSameAs(second);
            assertThat(ca.requests.get()).isEqualTo(2 * perOrder);
            clock.advance(Duration.ofSeconds(60));
            assertThat(completed(autocert.map("a.example", promise())).cause()).isNotNull().isNotSameAs(second);
            assertThat(ca.requests.get()).isEqualTo(3 * perOrder);
            List<String> failures = log.messages().stream()
                    .filter(m -> m.startsWith("ssl_autocert: cannot obtain a certificate for a.example")).toList();
            assertThat(failures).hasSize(3);
            assertThat(failures.subList(0, 2)).containsExactly(failed("a.example", first, 60),
                    failed("a.example", second, 120));
            assertThat(failures.get(2)).endsWith("; its handshakes fail for 240 s before the next attempt");
        }
    }

    @Test
    void aNameBeyondTheHostBoundIsRefusedAtOnceUntilFailedHostsEndTheirBackOff() throws Exception {
        String served = "served.example";
        saveValidCertificate(served);
        try (FailingCa ca = new FailingCa(false);
             Autocert autocert = autocert(ca, new Autocert.Limits(3, 16, Duration.ofMinutes(1), Duration.ofHours(1)),
                     Duration.ofHours(1))) {
            SslContext context = completed(autocert.map(served, promise())).getNow();
            assertThat(context).as("loaded from the cache").isNotNull();
            assertThat(completed(autocert.map("a.example", promise())).cause()).isNotNull();
            assertThat(completed(autocert.map("b.example", promise())).cause()).isNotNull();
            int orders = ca.requests.get();

            for (int i = 0; i < 50; i++) {
                Future<SslContext> refused = autocert.map("extra" + i + ".example", promise());
                assertThat(refused.isDone()).as("refused at once").isTrue();
                assertThat(refused.cause()).isInstanceOf(SSLException.class).hasMessage(
                        "ssl_autocert: no certificate for extra" + i + ".example: 3 hosts are tracked, the bound");
            }
            assertThat(ca.requests.get()).as("nothing ordered").isEqualTo(orders);
            assertThat(log.messages()).filteredOn(m -> m.contains("hosts are tracked")).containsExactly(
                    "ssl_autocert: refusing a certificate for extra0.example: 3 hosts are tracked, the bound");

            clock.advance(Duration.ofSeconds(61)); // the failed hosts' back-off is over: they make room
            assertThat(completed(autocert.map("new.example", promise())).cause()).isNotNull()
                    .isNotInstanceOf(SSLException.class);
            assertThat(ca.requests.get()).as("the new name was ordered").isGreaterThan(orders);
            assertThat(autocert.map(served, promise()).getNow()).as("the issued certificate stays served")
                    .isSameAs(context);
        }
    }

    @Test
    void anOrderBeyondThePendingBoundIsRefusedAtOnceAndNotQueued() throws Exception {
        try (FailingCa ca = new FailingCa(true);
             Autocert autocert = autocert(ca, new Autocert.Limits(100, 2, Duration.ofMinutes(1), Duration.ofHours(1)),
                     Duration.ofHours(1))) {
            Future<SslContext> running = autocert.map("a.example", promise());
            Future<SslContext> queued = autocert.map("b.example", promise());
            await("the first order at the CA").atMost(WAIT).until(() -> ca.requests.get() == 1);
            for (int i = 0; i < 20; i++) {
                Future<SslContext> refused = autocert.map("c.example", promise());
                assertThat(refused.isDone()).as("refused at once").isTrue();
                assertThat(refused.cause()).isInstanceOf(SSLException.class)
                        .hasMessage("ssl_autocert: no certificate for c.example: 2 orders are pending, the bound");
            }
            assertThat(running.isDone()).isFalse();
            assertThat(queued.isDone()).isFalse();

            ca.gate.countDown();
            assertThat(completed(running).cause()).isNotNull();
            assertThat(completed(queued).cause()).isNotNull();
            int orders = ca.requests.get();
            assertThat(orders).as("two orders reached the CA, the refused one was not queued").isEven();
            assertThat(log.messages()).filteredOn(m -> m.contains("orders are pending")).containsExactly(
                    "ssl_autocert: refusing a certificate for c.example: 2 orders are pending, the bound");

            assertThat(completed(autocert.map("c.example", promise())).cause()).isNotNull()
                    .isNotInstanceOf(SSLException.class);
            assertThat(ca.requests.get()).as("ordered once there is room").isEqualTo(orders + orders / 2);
        }
    }

    @Test
    void aFailedRenewalKeepsServingTheCertificateAndBacksOff() throws Exception {
        String host = "renew.example";
        Instant notAfter = saveValidCertificate(host);
        try (FailingCa ca = new FailingCa(false);
             Autocert autocert = autocert(ca, new Autocert.Limits(10, 4, Duration.ofMinutes(1), Duration.ofHours(1)),
                     Duration.ofMillis(20))) {
            SslContext context = completed(autocert.map(host, promise())).getNow();
            assertThat(context).isNotNull();
            assertThat(ca.requests.get()).isZero();

            clock.now.set(notAfter.minus(Duration.ofDays(1))); // due for renewal
            await("a renewal attempt").atMost(WAIT).until(() -> ca.requests.get() > 0);
            await("its failure logged").atMost(WAIT).until(() -> log.messages().stream().anyMatch(m -> m.startsWith(
                    "ssl_autocert: renewing the certificate for renew.example failed, next attempt in 60 s")));
            int perRenewal = ca.requests.get();
            // the check runs every 20 ms: about 25 checks in this window, none may order
            await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> ca.requests.get() == perRenewal);
            assertThat(autocert.map(host, promise()).getNow()).as("still served").isSameAs(context);

            clock.advance(Duration.ofSeconds(61));
            await("the second renewal attempt").atMost(WAIT).until(() -> log.messages().stream()
                    .anyMatch(m -> m.startsWith(
                            "ssl_autocert: renewing the certificate for renew.example failed, next attempt in 120 s")));
            assertThat(ca.requests.get()).isEqualTo(2 * perRenewal);
            assertThat(autocert.map(host, promise()).getNow()).isSameAs(context);
        }
    }

    private Autocert autocert(FailingCa ca, Autocert.Limits limits, Duration renewalCheck) throws Exception {
        AutocertSettings settings = new AutocertSettings(true, "", dir.resolve("cache").toString(), "", false,
                "", false, ":80", ca.directory(), "");
        return Autocert.of(settings, RenewalPolicy.DEFAULT, clock, renewalCheck, limits);
    }

    /** Puts a certificate valid for 90 days from now into the cache; returns its expiry. */
    private Instant saveValidCertificate(String host) throws Exception {
        KeyPair key = Keys.generate(false);
        Instant notBefore = clock.instant().minus(Duration.ofHours(1));
        Instant notAfter = notBefore.plus(Duration.ofDays(90));
        new CertificateCache(dir.resolve("cache")).save(host, false, new CertificateCache.Entry(key,
                List.of(TestCertificates.selfSigned(key, host, notBefore, notAfter))));
        return notAfter;
    }

    private static io.netty.util.concurrent.Promise<SslContext> promise() {
        return ImmediateEventExecutor.INSTANCE.newPromise();
    }

    private static Future<SslContext> completed(Future<SslContext> f) throws InterruptedException {
        assertThat(f.await(WAIT.toMillis())).as("completed").isTrue();
        return f;
    }

    private static String failed(String host, Throwable error, long seconds) {
        return "ssl_autocert: cannot obtain a certificate for " + host + ": " + error + "; its handshakes fail for "
                + seconds + " s before the next attempt";
    }
}
