package dev.rotor.server.acme;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Identifier;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.challenge.TlsAlpn01Challenge;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.exception.AcmeException;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Obtains certificates from an ACME CA with acme4j: registers (or finds) the account of the cached account key,
 * orders a certificate for one host, answers its authorization with tls-alpn-01 or, when that fails and the http-01
 * server runs, http-01 (Go autocert's order), and downloads the chain. Blocking: call it on the issuing executor only.
 * Thread-safe: one issuance at a time ({@code synchronized}), which also keeps the account key creation single.
 */
final class AcmeIssuer {
    private static final Logger log = LoggerFactory.getLogger(AcmeIssuer.class);
    private static final Duration VALIDATION_TIMEOUT = Duration.ofMinutes(2);

    private final URI directory;
    /** Null to use the JVM's default trust for the CA's HTTPS endpoint. */
    private final SSLContext caTrust;
    private final String email;
    private final CertificateCache cache;
    private final Challenges challenges;
    private final boolean httpChallenge;
    /** Guarded by {@code this}; created on first use. */
    private Account account;

    /**
     * @param caTrustPem    a PEM bundle of CA certificates to trust for the directory's HTTPS endpoint; null for
     *                      the JVM default
     * @param httpChallenge whether the http-01 server runs, so http-01 may be answered
     */
    AcmeIssuer(URI directory, Path caTrustPem, String email, CertificateCache cache, Challenges challenges,
               boolean httpChallenge) throws IOException, GeneralSecurityException {
        this.directory = directory;
        this.caTrust = caTrustPem == null ? null : trusting(caTrustPem);
        this.email = email;
        this.cache = cache;
        this.challenges = challenges;
        this.httpChallenge = httpChallenge;
    }

    /** A challenge of one type that the CA could not validate (or did not offer). */
    private static final class ChallengeFailed extends AcmeException {
        ChallengeFailed(String message) {
            super(message);
        }
    }

    /**
     * Orders and downloads a certificate for {@code host} on {@code domainKey}; the chain is leaf first. Like Go's
     * autocert, tls-alpn-01 is tried first and, when it fails and the http-01 server runs, a new order is answered
     * with http-01.
     */
    synchronized CertificateCache.Entry issue(String host, KeyPair domainKey)
            throws IOException, AcmeException, InterruptedException {
        List<String> types = httpChallenge ? List.of(TlsAlpn01Challenge.TYPE, Http01Challenge.TYPE)
                : List.of(TlsAlpn01Challenge.TYPE);
        ChallengeFailed failed = null;
        for (String type : types) {
            try {
                return issue(host, domainKey, type);
            } catch (ChallengeFailed e) {
                if (failed != null) {
                    e.addSuppressed(failed);
                }
                failed = e;
                log.warn("ssl_autocert: {}", e.getMessage());
            }
        }
        throw failed;
    }

    private CertificateCache.Entry issue(String host, KeyPair domainKey, String type)
            throws IOException, AcmeException, InterruptedException {
        Order order = account().newOrder().domain(host).create();
        for (Authorization auth : order.getAuthorizations()) {
            if (auth.getStatus() != Status.VALID) {
                authorize(host, auth, type);
            }
        }
        order.execute(domainKey);
        Status status = order.waitForCompletion(VALIDATION_TIMEOUT);
        if (status != Status.VALID) {
            throw new AcmeException("order for " + host + " ended " + status
                    + order.getError().map(p -> ": " + p).orElse(""));
        }
        log.info("ACME certificate issued for {} ({})", host, type);
        return new CertificateCache.Entry(domainKey, order.getCertificate().getCertificateChain());
    }

    /** Publishes the response to the {@code type} challenge of {@code auth}, triggers it and waits for the CA. */
    private void authorize(String host, Authorization auth, String type) throws AcmeException, InterruptedException,
            IOException {
        Challenge challenge;
        Runnable cleanup;
        if (type.equals(TlsAlpn01Challenge.TYPE)) {
            TlsAlpn01Challenge alpn = auth.findChallenge(TlsAlpn01Challenge.class)
                    .orElseThrow(() -> new ChallengeFailed("the CA offers no tls-alpn-01 challenge for " + host));
            KeyPair key = Keys.generate(true); // acme4j signs the challenge certificate with SHA256withRSA
            X509Certificate cert = alpn.createCertificate(key, Identifier.dns(host));
            challenges.putTlsAlpn(host, SslContextBuilder.forServer(key.getPrivate(), cert)
                    .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
                            TlsAlpn01Challenge.ACME_TLS_1_PROTOCOL))
                    .build());
            challenge = alpn;
            cleanup = () -> challenges.removeTlsAlpn(host);
        } else {
            Http01Challenge http = auth.findChallenge(Http01Challenge.class)
                    .orElseThrow(() -> new ChallengeFailed("the CA offers no http-01 challenge for " + host));
            challenges.putHttp(http.getToken(), http.getAuthorization());
            challenge = http;
            cleanup = () -> challenges.removeHttp(http.getToken());
        }
        try {
            challenge.trigger();
            Status status = challenge.waitForCompletion(VALIDATION_TIMEOUT);
            if (status != Status.VALID) {
                throw new ChallengeFailed(type + " validation of " + host + " ended " + status
                        + challenge.getError().map(p -> ": " + p).orElse(""));
            }
        } finally {
            cleanup.run();
        }
    }

    /** The account of the cached key, registered (or found again) at the CA; the key is created when missing. */
    private Account account() throws IOException, AcmeException {
        if (account == null) {
            Optional<KeyPair> cached = cache.loadAccountKey();
            KeyPair key = cached.isPresent() ? cached.get() : Keys.generate(false);
            if (cached.isEmpty()) {
                cache.saveAccountKey(key);
            }
            AccountBuilder builder = new AccountBuilder().agreeToTermsOfService().useKeyPair(key);
            if (!email.isEmpty()) {
                builder.addEmail(email);
            }
            account = builder.create(new Session(directory, new Provider(caTrust)));
        }
        return account;
    }

    private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca" + i++, c);
            }
            if (i == 0) {
                throw new IOException("no certificate in ssl_autocert_directory_ca " + pem);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    /** acme4j's generic provider, with the CA's HTTPS endpoint trusted by {@code caTrust} when given. */
    private static final class Provider extends GenericAcmeProvider {
        private final SSLContext caTrust;

        Provider(SSLContext caTrust) {
            this.caTrust = caTrust;
        }

        @Override
        protected HttpConnector createHttpConnector(NetworkSettings settings) {
            if (caTrust == null) {
                return super.createHttpConnector(settings);
            }
            return new HttpConnector(settings) {
                @Override
                public HttpClient.Builder createClientBuilder() {
                    return super.createClientBuilder().sslContext(caTrust);
                }
            };
        }
    }
}
