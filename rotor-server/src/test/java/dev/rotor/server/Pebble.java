package dev.rotor.server;

import dev.rotor.testkit.DebianBinary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Debian's {@code pebble} ACME test CA as a child process on free loopback ports, with its HTTPS endpoint on a
 * fresh self-signed certificate; validations connect to {@code tlsPort}/{@code httpPort} on the identifier's host.
 * Fails loudly when pebble is not installed. Not thread-safe: one test drives it.
 */
public final class Pebble implements AutoCloseable {
    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path caCert;
    private final HttpClient http;

    private Pebble(Process process, int port, int managementPort, Path caCert, HttpClient http) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.caCert = caCert;
        this.http = http;
    }

    /** Starts pebble validating against {@code tlsPort} and {@code httpPort} on 127.0.0.1 and waits until it serves. */
    public static Pebble start(Path dir, int tlsPort, int httpPort) throws Exception {
        Path binary = DebianBinary.require("rotor.pebble", "/usr/bin/pebble", "pebble", "the ACME tests");
        Path cert = dir.resolve("pebble-cert.pem");
        Path key = dir.resolve("pebble-key.pem");
        TlsSupport.generate(cert, key);
        int port = freePort();
        int management = freePort();
        Path config = dir.resolve("pebble-config.json");
        Files.writeString(config, "{\"pebble\": {\"listenAddress\": \"127.0.0.1:" + port + "\","
                + " \"managementListenAddress\": \"127.0.0.1:" + management + "\","
                + " \"certificate\": \"" + cert + "\", \"privateKey\": \"" + key + "\","
                + " \"httpPort\": " + httpPort + ", \"tlsPort\": " + tlsPort + ","
                + " \"ocspResponderURL\": \"\", \"externalAccountBindingRequired\": false}}");
        ProcessBuilder pb = new ProcessBuilder(binary.toString(), "-config", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("pebble.log").toFile());
        pb.environment().put("PEBBLE_VA_NOSLEEP", "1");
        pb.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        pb.environment().put("PEBBLE_AUTHZREUSE", "0");
        Process process = pb.start();
        HttpClient http = HttpClient.newBuilder().sslContext(TlsSupport.trusting(cert))
                .connectTimeout(Duration.ofSeconds(5)).build();
        Pebble pebble = new Pebble(process, port, management, cert, http);
        try {
            await("pebble serving its directory").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        assertThat(process.isAlive()).as(Files.readString(dir.resolve("pebble.log"))).isTrue();
                        return pebble.get(pebble.directory()).statusCode() == 200;
                    });
        } catch (RuntimeException | Error e) {
            pebble.close();
            throw e;
        }
        return pebble;
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The ACME directory URL. */
    public URI directory() {
        return URI.create("https://127.0.0.1:" + port + "/dir");
    }

    /** The self-signed certificate of pebble's own HTTPS endpoint (trust it to talk ACME). */
    public Path caCert() {
        return caCert;
    }

    /** Pebble's current issuing root (regenerated on every pebble start). */
    public X509Certificate root() throws Exception {
        HttpResponse<String> root = get(URI.create("https://127.0.0.1:" + managementPort + "/roots/0"));
        assertThat(root.statusCode()).isEqualTo(200);
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(root.body().getBytes(StandardCharsets.US_ASCII)));
    }

    /** A new SSL context (with an empty session cache) trusting exactly {@code cert}. */
    public static SSLContext trusting(X509Certificate cert) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("pebble-root", cert);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
