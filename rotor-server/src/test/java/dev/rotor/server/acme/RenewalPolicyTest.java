package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** When certificates are renewed (Go autocert's {@code RenewBefore}, 30 days). */
class RenewalPolicyTest {
    private static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void ninetyDayCertificateIsRenewedThirtyDaysBeforeExpiry() throws Exception {
        X509Certificate cert = TestCertificates.selfSigned("a.example", ISSUED, ISSUED.plus(Duration.ofDays(90)));
        RenewalPolicy p = RenewalPolicy.DEFAULT;
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(1)))).isFalse();
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(59)))).isFalse();
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(60)))).isTrue();
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(200)))).as("expired").isTrue();
    }

    @Test
    void shortLivedCertificateIsRenewedAtTwoThirdsOfItsLifetime() throws Exception {
        X509Certificate cert = TestCertificates.selfSigned("a.example", ISSUED, ISSUED.plus(Duration.ofDays(6)));
        RenewalPolicy p = RenewalPolicy.DEFAULT;
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(1)))).isFalse();
        assertThat(p.due(cert, ISSUED.plus(Duration.ofDays(4)))).isTrue();
    }
}
