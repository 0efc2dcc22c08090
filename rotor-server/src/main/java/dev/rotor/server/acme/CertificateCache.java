package dev.rotor.server.acme;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.CertificateException;
import java.security.interfaces.ECPrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The {@code ssl_autocert_cache_dir} files, in the layout of Go's autocert {@code DirCache} so a v1 cache directory
 * is reused: {@code acme_account+key} holds the account key, {@code <host>} (EC) or {@code <host>+rsa} (RSA) the
 * private key followed by the certificate chain, all PEM. Files are written to a temporary name and moved into
 * place, so a crash never leaves a half-written file. Without a directory nothing is stored. Thread-safe.
 */
public final class CertificateCache {
    static final String ACCOUNT_KEY = "acme_account+key";
    /**
     * The most bytes read from one cache file. A key and a chain of a few certificates take a few KiB; a larger file
     * was not written by Rotor, and is refused rather than read whole into memory.
     */
    static final int MAX_FILE = 1 << 20;

    /** A host's key and certificate chain, leaf first. */
    public record Entry(KeyPair key, List<X509Certificate> chain) {
        public Entry {
            chain = List.copyOf(chain);
            if (chain.isEmpty()) {
                throw new IllegalArgumentException("empty certificate chain");
            }
        }

        public X509Certificate leaf() {
            return chain.get(0);
        }
    }

    /** Null when certificates live in memory only. */
    private final Path dir;

    /** @param dir the cache directory, created when missing; null to store nothing */
    public CertificateCache(Path dir) {
        this.dir = dir;
    }

    /** The file name of a host's entry. */
    static String fileName(String host, boolean rsa) {
        return rsa ? host + "+rsa" : host;
    }

    public Optional<KeyPair> loadAccountKey() throws IOException {
        Optional<String> pem = read(ACCOUNT_KEY);
        return pem.isEmpty() ? Optional.empty() : Optional.of(parse(pem.get(), ACCOUNT_KEY).key);
    }

    public void saveAccountKey(KeyPair key) throws IOException {
        write(ACCOUNT_KEY, pem(List.of(key)));
    }

    /** The cached entry of a host, if any; a file that cannot be parsed is an error naming it. */
    public Optional<Entry> load(String host, boolean rsa) throws IOException {
        String name = fileName(host, rsa);
        Optional<String> pem = read(name);
        if (pem.isEmpty()) {
            return Optional.empty();
        }
        Parsed p = parse(pem.get(), name);
        if (p.chain.isEmpty()) {
            throw new IOException("no certificate in " + dir.resolve(name));
        }
        return Optional.of(new Entry(p.key, p.chain));
    }

    public void save(String host, boolean rsa, Entry entry) throws IOException {
        List<Object> objects = new ArrayList<>();
        objects.add(entry.key());
        objects.addAll(entry.chain());
        write(fileName(host, rsa), pem(objects));
    }

    private Optional<String> read(String name) throws IOException {
        if (dir == null || !Files.isRegularFile(dir.resolve(name))) {
            return Optional.empty();
        }
        Path file = dir.resolve(name);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] content = in.readNBytes(MAX_FILE + 1);
            if (content.length > MAX_FILE) {
                throw new IOException(file + " is larger than " + MAX_FILE + " bytes: not a cache entry Rotor wrote");
            }
            return Optional.of(new String(content, StandardCharsets.US_ASCII));
        }
    }

    private void write(String name, String content) throws IOException {
        if (dir == null) {
            return;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        try {
            Files.writeString(tmp, content, StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String pem(List<?> objects) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) {
                if (o instanceof KeyPair kp && kp.getPrivate() instanceof ECPrivateKey ec) {
                    w.writeObject(new PemObject("EC PRIVATE KEY", sec1(kp, ec)));
                } else {
                    w.writeObject(o);
                }
            }
        }
        return out.toString();
    }

    /**
     * The SEC1 encoding of an EC key pair with its public key inside, as Go writes it ({@code EC PRIVATE KEY}); the
     * JDK's PKCS#8 encoding leaves the public key out, so the key pair could not be read back from it.
     */
    private static byte[] sec1(KeyPair kp, ECPrivateKey ec) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(ec.getEncoded());
        SubjectPublicKeyInfo pub = SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        return new org.bouncycastle.asn1.sec.ECPrivateKey(ec.getParams().getOrder().bitLength(), ec.getS(),
                pub.getPublicKeyData(), info.getPrivateKeyAlgorithm().getParameters()).getEncoded();
    }

    private record Parsed(KeyPair key, List<X509Certificate> chain) {
    }

    private Parsed parse(String pem, String name) throws IOException {
        KeyPair key = null;
        List<X509Certificate> chain = new ArrayList<>();
        JcaX509CertificateConverter certs = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof PEMKeyPair kp) {
                    key = new JcaPEMKeyConverter().getKeyPair(kp);
                } else if (o instanceof X509CertificateHolder holder) {
                    chain.add(certs.getCertificate(holder));
                }
            }
        } catch (CertificateException | RuntimeException e) {
            throw new IOException("cannot parse " + dir.resolve(name) + ": " + e.getMessage(), e);
        }
        if (key == null) {
            throw new IOException("no private key in " + dir.resolve(name));
        }
        return new Parsed(key, chain);
    }
}
