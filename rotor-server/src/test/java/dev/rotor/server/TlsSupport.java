package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates for TLS tests, made by the real {@code openssl} (bin/test installs it). */
final class TlsSupport {
    private TlsSupport() {
    }

    /** Writes a fresh RSA key and a certificate for 127.0.0.1 as PEM files. */
    static void generate(Path cert, Path key) throws Exception {
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext",
                "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        assertThat(openssl.waitFor(60, TimeUnit.SECONDS)).as("openssl finished (install it: bin/test does)").isTrue();
        assertThat(openssl.exitValue()).as(new String(openssl.getInputStream().readAllBytes())).isZero();
    }

    /** An SSL context that trusts exactly the given certificate. */
    static SSLContext trusting(Path certFile) throws Exception {
        X509Certificate cert;
        try (InputStream in = Files.newInputStream(certFile)) {
            cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("rotor", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}
