package dev.rotor.server.acme;

import dev.rotor.config.AutocertSettings;
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
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
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
 * issuance. A background check renews certificates {@link RenewalPolicy due} for renewal; until a renewal
 * succeeds the old certificate keeps being served. Thread-safe.
 */
public final class Autocert implements AsyncMapping<String, SslContext>, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Autocert.class);
    /** How often certificates are checked for renewal. */
    static final Duration RENEWAL_CHECK = Duration.ofHours(1);

    /** A host's certificate as served. */
    private record Served(SslContext context, X509Certificate leaf) {
    }

    private final HostPolicy hosts;
    private final CertificateCache cache;
    private final AcmeIssuer issuer;
    private final Challenges challenges;
    private final boolean rsa;
    private final RenewalPolicy renewal;
    private final Clock clock;
    /** Issuance, cache reads and renewal checks; one thread, so orders run one at a time. */
    private final ScheduledExecutorService executor;
    /** By host: completed with the served certificate, or pending; failed entries are removed to retry. */
    private final Map<String, CompletableFuture<Served>> certificates = new ConcurrentHashMap<>();

    /** Builds the manager of {@code ssl_autocert} settings; fails on a missing or unreadable directory CA file. */
    public static Autocert of(AutocertSettings s) throws IOException, GeneralSecurityException {
        return of(s, RenewalPolicy.DEFAULT, Clock.systemUTC(), RENEWAL_CHECK);
    }

    /** As {@link #of(AutocertSettings)} with the renewal timing given. */
    static Autocert of(AutocertSettings s, RenewalPolicy renewal, Clock clock, Duration renewalCheck)
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
                renewal, clock, renewalCheck);
    }

    private Autocert(HostPolicy hosts, CertificateCache cache, AcmeIssuer issuer, Challenges challenges, boolean rsa,
                     RenewalPolicy renewal, Clock clock, Duration renewalCheck) {
        this.hosts = hosts;
        this.cache = cache;
        this.issuer = issuer;
        this.challenges = challenges;
        this.rsa = rsa;
        this.renewal = renewal;
        this.clock = clock;
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
     * The certificate for a server name; never blocks. The future fails for a refused name and when issuance
     * fails (the next handshake tries again).
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
        CompletableFuture<Served> f = certificates.computeIfAbsent(host,
                h -> CompletableFuture.supplyAsync(() -> obtain(h), executor));
        f.whenComplete((s, e) -> {
            if (e != null) {
                certificates.remove(host, f);
            }
        });
        return f;
    }

    /** The cached certificate when it is not due for renewal, else a new one (runs on the executor). */
    private Served obtain(String host) {
        try {
            Optional<CertificateCache.Entry> cached = cache.load(host, rsa);
            if (cached.isPresent() && !renewal.due(cached.get().leaf(), clock.instant())) {
                log.info("ACME certificate for {} loaded from the cache", host);
                return serve(cached.get());
            }
            return issue(host);
        } catch (Exception e) {
            log.error("ssl_autocert: cannot obtain a certificate for {}: {}", host, e.toString());
            throw new CompletionException(e);
        }
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

    /** Replaces every served certificate that is due for renewal; runs on the executor. */
    private void renewDue() {
        for (Map.Entry<String, CompletableFuture<Served>> e : certificates.entrySet()) {
            Served s = e.getValue().getNow(null);
            if (s != null && renewal.due(s.leaf(), clock.instant())) {
                try {
                    certificates.put(e.getKey(), CompletableFuture.completedFuture(issue(e.getKey())));
                    log.info("ACME certificate for {} renewed", e.getKey());
                } catch (Exception ex) {
                    log.error("ssl_autocert: renewing the certificate for {} failed, will retry: {}", e.getKey(),
                            ex.toString());
                }
            }
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
