package dev.rotor.server.acme;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed certificates with chosen validity, for unit tests. Stateless. */
final class TestCertificates {
    private TestCertificates() {
    }

    static X509Certificate selfSigned(String cn, Instant notBefore, Instant notAfter) throws Exception {
        return selfSigned(Keys.generate(false), cn, notBefore, notAfter);
    }

    static X509Certificate selfSigned(KeyPair key, String cn, Instant notBefore, Instant notAfter) throws Exception {
        X500Name name = new X500Name("CN=" + cn);
        String alg = key.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(name,
                BigInteger.valueOf(notBefore.toEpochMilli()), Date.from(notBefore), Date.from(notAfter), name,
                key.getPublic()).build(new JcaContentSignerBuilder(alg).build(key.getPrivate())));
    }
}
