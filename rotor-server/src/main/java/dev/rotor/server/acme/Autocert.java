package dev.rotor.server.acme;

import dev.rotor.config.AutocertSettings;
import dev.rotor.node.ThrottledLog;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.AsyncMapping;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Certificates on demand per TLS server name, like Go's {@code autocert.Manager}: {@link #map} (called by the SNI
 * handler on an event loop) answers from memory, else loads the cache or orders a certificate on the issuing
 * executor, and completes the handshake's promise when done; concurrent handshakes for one host share one
 * issuance. A failed issuance is kept for a back-off period (like Go autocert's {@code createCertRetryAfter}, but
 * doubling per consecutive failure of the host), during which that host's handshakes fail at once, so retrying
 * clients cannot hammer the CA. What clients can make it hold is bounded ({@link Limits}): with an empty whitelist
 * any name is asked for. A background check renews certificates {@link RenewalPolicy due} for renewal, with the
 * same back-off per host after a failed renewal; until a renewal succeeds the old certificate keeps being served.
 * Thread-safe.
 */
public final class Autocert implements AsyncMapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Autocert.class);
    /** How often certificates are checked for renewal. */
    static final Duration RENEWAL_CHECK = Duration.ofHours(1);
    /** Refusals at a bound are logged at most once per this interval per bound, with the count of the rest. */
    private static final long REFUSAL_LOG_INTERVAL_MILLIS = 60_000;

    /**
     * Bounds on what TLS clients can make the manager hold and order, and the back-off after a failure.
     *
     * @param maxHosts         hosts tracked at once (served, being obtained, or failed and backing off); a new name
     *                         beyond it is refused, after dropping failed hosts whose back-off has ended. 1,000 is
     *                         far more names than one Rotor serves, and a few megabytes of certificates at most
     * @param maxPendingOrders cache look-ups and ACME orders queued or running on the single issuing thread (an order
     *                         takes seconds); a new one beyond it is refused and nothing is queued
     * @param firstRetry       how long a host's handshakes fail at once after its first failed order or renewal
     * @param maxRetry         the cap of that back-off, which doubles with each consecutive failure of the host
     */
    record Limits(int maxHosts, int maxPendingOrders, Duration firstRetry, Duration maxRetry) {
        static final Limits DEFAULT = new Limits(1_000, 16, Duration.ofMinutes(1), Duration.ofHours(1));

        Limits {
            if (maxHosts < 1 || maxPendingOrders < 1 || firstRetry.isNegative() || firstRetry.isZero()
                    || maxRetry.compareTo(firstRetry) < 0) {
                throw new IllegalArgumentException("invalid ssl_autocert limits");
            }
        }

        /** The back-off after the {@code failures}-th consecutive failure of a host (1 for the first). */
        Duration retryAfter(int failures) {
            Duration wait = firstRetry;
            for (int i = 1; i < failures && wait.compareTo(maxRetry) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxRetry) < 0 ? wait : maxRetry;
        }
    }

    /** A host's certificate as served. */
    private record Served(SslContext context, X509Certificate leaf) {
    }

    /**
     * A host's state.
     *
     * @param future   completed with the served certificate, pending, or failed (kept while backing off)
     * @param failures consecutive failed orders or renewals of the host; 0 after a success
     * @param retryAt  null, or until when the host is not ordered (or renewed) again after its last failure
     */
    private record Host(CompletableFuture<Served> future, int failures, Instant retryAt) {
        boolean backingOff(Instant now) {
            return retryAt != null && now.isBefore(retryAt);
        }

        boolean failed() {
            return future.isCompletedExceptionally();
        }

        /** True when a handshake is answered by {@link #future} rather than by a new order. */
        boolean answers(Instant now) {
            return !failed() || backingOff(now);
        }

        /** The served certificate, or null when there is none (yet). */
        Served served() {
            return future.isDone() && !failed() ? future.join() : null;
        }
    }

    private final HostPolicy hosts;
    private final CertificateCache cache;
    private final AcmeIssuer issuer;
    private final Challenges challenges;
    private final boolean rsa;
    private final RenewalPolicy renewal;
    private final Clock clock;
    private final Limits limits;
    /** Issuance, cache reads and renewal checks; one thread, so orders run one at a time. */
    private final ScheduledExecutorService executor;
    /** Guards changes to {@link #certificates} and {@link #pending}. */
    private final Object lock = new Object();
    /** By host, at most {@code limits.maxHosts()}; read without {@link #lock}, changed under it. */
    private final Map<String, Host> certificates = new ConcurrentHashMap<>();
    /** Guarded by {@link #lock}: look-ups and orders handed to the executor and not finished, at most the bound. */
    private int pending;
    private final ThrottledLog refusedHosts;
    private final ThrottledLog refusedOrders;

    /** Builds the manager of {@code ssl_autocert} settings; fails on a missing or unreadable directory CA file. */
    public static Autocert of(AutocertSettings s) throws IOException, GeneralSecurityException {
        return of(s, RenewalPolicy.DEFAULT, Clock.systemUTC(), RENEWAL_CHECK, Limits.DEFAULT);
    }

    /** As {@link #of(AutocertSettings)} with the renewal timing, clock and limits given. */
    static Autocert of(AutocertSettings s, RenewalPolicy renewal, Clock clock, Duration renewalCheck, Limits limits)
            throws IOException, GeneralSecurityException {
        // acme4j builds CSRs and challenge certificates through the Bouncy Castle JCA provider
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
        Challenges challenges = new Challenges();
        CertificateCache cache = new CertificateCache(s.cacheDir().isEmpty() ? null : Path.of(s.cacheDir()));
        AcmeIssuer issuer = new AcmeIssuer(URI.create(s.directory()),
                s.directoryCa().isEmpty() ? null : Path.of(s.directoryCa()), s.email(), cache, challenges, s.http());
        return new Autocert(new HostPolicy(s.hosts(), s.serverName()), cache, issuer, challenges, s.forceRsa(),
                renewal, clock, renewalCheck, limits);
    }

    private Autocert(HostPolicy hosts, CertificateCache cache, AcmeIssuer issuer, Challenges challenges, boolean rsa,
                     RenewalPolicy renewal, Clock clock, Duration renewalCheck, Limits limits) {
        this.hosts = hosts;
        this.cache = cache;
        this.issuer = issuer;
        this.challenges = challenges;
        this.rsa = rsa;
        this.renewal = renewal;
        this.clock = clock;
        this.limits = limits;
        this.refusedHosts = new ThrottledLog(log, clock, REFUSAL_LOG_INTERVAL_MILLIS);
        this.refusedOrders = new ThrottledLog(log, clock, REFUSAL_LOG_INTERVAL_MILLIS);
        ScheduledThreadPoolExecutor ex = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "rotor-autocert");
            t.setDaemon(true);
            return t;
        });
        ex.setRemoveOnCancelPolicy(true);
        this.executor = ex;
        long every = renewalCheck.toMillis();
        executor.scheduleWithFixedDelay(this::renewDue, every, every, TimeUnit.MILLISECONDS);
    }

    /** The challenge responses, for the TLS and http-01 handlers. */
    public Challenges challenges() {
        return challenges;
    }

    /** The host a handshake with this SNI value is for, or null when it is refused. */
    public String host(String sni) {
        return hosts.resolve(sni);
    }

    /**
     * The certificate for a server name; never blocks. The future fails for a refused name, at once with the
     * cached error while the host backs off after a failed issuance, and at once when a bound ({@link Limits})
     * would be exceeded.
     */
    @Override
    public Future<SslContext> map(String sni, Promise<SslContext> promise) {
        String host = hosts.resolve(sni);
        log.debug("TLS handshake with server name {} is for host {}", sni, host);
        if (host == null) {
            return promise.setFailure(new SSLException("ssl_autocert: host name "
                    + (sni == null ? "(none sent)" : sni) + " is not allowed"));
        }
        served(host).whenComplete((s, e) -> {
            if (e == null) {
                promise.trySuccess(s.context());
            } else {
                promise.tryFailure(e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
            }
        });
        return promise;
    }

    private CompletableFuture<Served> served(String host) {
        Instant now = clock.instant();
        Host known = certificates.get(host);
        if (known != null && known.answers(now)) {
            return known.future();
        }
        CompletableFuture<Served> order = new CompletableFuture<>();
        synchronized (lock) {
            known = certificates.get(host);
            if (known != null && known.answers(now)) {
                return known.future();
            }
            if (known == null && certificates.size() >= limits.maxHosts()) {
                certificates.values().removeIf(h -> !h.answers(now));
                if (certificates.size() >= limits.maxHosts()) {
                    refusedHosts.warn("ssl_autocert: refusing a certificate for {}: " + limits.maxHosts()
                            + " hosts are tracked, the bound", host);
                    return CompletableFuture.failedFuture(new SSLException("ssl_autocert: no certificate for "
                            + host + ": " + limits.maxHosts() + " hosts are tracked, the bound"));
                }
            }
            if (pending >= limits.maxPendingOrders()) {
                refusedOrders.warn("ssl_autocert: refusing a certificate for {}: " + limits.maxPendingOrders()
                        + " orders are pending, the bound", host);
                return CompletableFuture.failedFuture(new SSLException("ssl_autocert: no certificate for "
                        + host + ": " + limits.maxPendingOrders() + " orders are pending, the bound"));
            }
            pending++;
            certificates.put(host, new Host(order, known == null ? 0 : known.failures(), null));
        }
        try {
            executor.execute(() -> obtain(host, order));
        } catch (RejectedExecutionException e) { // closed
            finish(host, order, null, e);
        }
        return order;
    }

    /** Obtains {@code host}'s certificate for {@code order}, records the outcome and completes it (on the executor). */
    private void obtain(String host, CompletableFuture<Served> order) {
        try {
            finish(host, order, obtain(host), null);
        } catch (Exception e) {
            finish(host, order, null, e);
        }
    }

    /** Records the outcome of {@code order} (the host's state holds it while pending), then completes it. */
    private void finish(String host, CompletableFuture<Served> order, Served served, Exception error) {
        Duration wait = null;
        synchronized (lock) {
            pending--;
            if (error == null) {
                certificates.put(host, new Host(order, 0, null));
            } else {
                int failures = certificates.get(host).failures() + 1;
                wait = limits.retryAfter(failures);
                certificates.put(host, new Host(order, failures, clock.instant().plus(wait)));
            }
        }
        if (error == null) {
            order.complete(served);
        } else {
            log.error("ssl_autocert: cannot obtain a certificate for {}: {}; its handshakes fail for {} s before the"
                    + " next attempt", host, error.toString(), wait.toSeconds());
            order.completeExceptionally(error);
        }
    }

    /** The cached certificate when it is not due for renewal, else a new one (runs on the executor). */
    private Served obtain(String host) throws Exception {
        Optional<CertificateCache.Entry> cached = cache.load(host, rsa);
        if (cached.isPresent() && !renewal.due(cached.get().leaf(), clock.instant())) {
            log.info("ACME certificate for {} loaded from the cache", host);
            return serve(cached.get());
        }
        return issue(host);
    }

    private Served issue(String host) throws Exception {
        KeyPair key = Keys.generate(rsa);
        CertificateCache.Entry entry = issuer.issue(host, key);
        cache.save(host, rsa, entry);
        return serve(entry);
    }

    private static Served serve(CertificateCache.Entry entry) throws SSLException {
        SslContext ctx = SslContextBuilder.forServer(entry.key().getPrivate(),
                entry.chain().toArray(X509Certificate[]::new)).build();
        return new Served(ctx, entry.leaf());
    }

    /**
     * Replaces every served certificate that is due for renewal, except for hosts backing off after a failed
     * renewal; runs on the executor. Only this thread replaces a served host's state.
     */
    private void renewDue() {
        for (Map.Entry<String, Host> e : certificates.entrySet()) {
            String host = e.getKey();
            Host h = e.getValue();
            Served s = h.served();
            Instant now = clock.instant();
            if (s == null || !renewal.due(s.leaf(), now) || h.backingOff(now)) {
                continue;
            }
            try {
                Served renewed = issue(host);
                synchronized (lock) {
                    certificates.put(host, new Host(CompletableFuture.completedFuture(renewed), 0, null));
                }
                log.info("ACME certificate for {} renewed", host);
            } catch (Exception ex) {
                Duration wait = limits.retryAfter(h.failures() + 1);
                synchronized (lock) {
                    certificates.put(host, new Host(h.future(), h.failures() + 1, clock.instant().plus(wait)));
                }
                log.error("ssl_autocert: renewing the certificate for {} failed, next attempt in {} s at the"
                        + " earliest: {}", host, wait.toSeconds(), ex.toString());
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
