package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code ssl_autocert_cache_dir} files, in Go autocert's DirCache layout. */
class CertificateCacheTest {
    @TempDir
    Path dir;

    @Test
    void ecAndRsaEntriesRoundTripAsKeyThenChainInSeparateFiles() throws Exception {
        CertificateCache cache = new CertificateCache(dir.resolve("certs"));
        for (boolean rsa : new boolean[] {false, true}) {
            KeyPair key = Keys.generate(rsa);
            X509Certificate leaf = TestCertificates.selfSigned(key, "www.example.com", Instant.now(),
                    Instant.now().plus(Duration.ofDays(90)));
            X509Certificate issuer = TestCertificates.selfSigned("issuer", Instant.now(),
                    Instant.now().plus(Duration.ofDays(900)));
            cache.save("www.example.com", rsa, new CertificateCache.Entry(key, List.of(leaf, issuer)));

            CertificateCache.Entry back = cache.load("www.example.com", rsa).orElseThrow();
            assertThat(back.chain()).containsExactly(leaf, issuer);
            assertThat(back.key().getPublic().getEncoded()).isEqualTo(key.getPublic().getEncoded());
            assertThat(signsForItsPublicKey(back.key())).isTrue();
        }
        String ec = Files.readString(dir.resolve("certs/www.example.com"));
        assertThat(ec).startsWith("-----BEGIN EC PRIVATE KEY-----").contains("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(dir.resolve("certs/www.example.com+rsa")))
                .startsWith("-----BEGIN RSA PRIVATE KEY-----");
        try (var files = Files.list(dir.resolve("certs"))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("www.example.com", "www.example.com+rsa");
        }
    }

    @Test
    void accountKeyIsKeptAcrossInstances() throws Exception {
        KeyPair key = Keys.generate(false);
        new CertificateCache(dir).saveAccountKey(key);
        assertThat(dir.resolve("acme_account+key")).isRegularFile();
        KeyPair back = new CertificateCache(dir).loadAccountKey().orElseThrow();
        assertThat(back.getPublic().getEncoded()).isEqualTo(key.getPublic().getEncoded());
    }

    @Test
    void missingEntriesAreEmptyAndAMemoryOnlyCacheStoresNothing() throws Exception {
        assertThat(new CertificateCache(dir).load("www.example.com", false)).isEmpty();
        assertThat(new CertificateCache(dir).loadAccountKey()).isEmpty();
        CertificateCache memory = new CertificateCache(null);
        memory.saveAccountKey(Keys.generate(false));
        assertThat(memory.loadAccountKey()).isEmpty();
    }

    @Test
    void aCorruptFileIsAnErrorNamingIt() throws IOException {
        Files.writeString(dir.resolve("www.example.com"), "-----BEGIN CERTIFICATE-----\nnot base64!\n"
                + "-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> new CertificateCache(dir).load("www.example.com", false))
                .isInstanceOf(IOException.class).hasMessageContaining("www.example.com");
    }

    @Test
    void aFileLargerThanAnyEntryIsRefusedUnread() throws Exception {
        CertificateCache cache = new CertificateCache(dir);
        KeyPair key = Keys.generate(false);
        cache.save("www.example.com", false, new CertificateCache.Entry(key, List.of(TestCertificates.selfSigned(key,
                "www.example.com", Instant.now(), Instant.now().plus(Duration.ofDays(90))))));
        assertThat(cache.load("www.example.com", false)).isPresent();
        Path file = dir.resolve("www.example.com");
        Files.write(file, new byte[CertificateCache.MAX_FILE], StandardOpenOption.APPEND); // then a MiB of zeros

        assertThatThrownBy(() -> cache.load("www.example.com", false)).isInstanceOf(IOException.class)
                .hasMessage(file + " is larger than 1048576 bytes: not a cache entry Rotor wrote");
    }

    private static boolean signsForItsPublicKey(KeyPair key) throws Exception {
        String alg = key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        Signature s = Signature.getInstance(alg);
        s.initSign(key.getPrivate());
        s.update(new byte[] {1, 2, 3});
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(alg);
        v.initVerify(key.getPublic());
        v.update(new byte[] {1, 2, 3});
        return v.verify(sig);
    }
}
