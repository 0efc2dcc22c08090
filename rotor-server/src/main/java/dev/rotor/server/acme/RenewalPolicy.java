package dev.rotor.server.acme;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;

/**
 * When a certificate is renewed: {@code renewBefore} ahead of its expiry, like Go autocert's {@code RenewBefore}
 * (30 days by default); for a certificate whose whole lifetime is shorter than twice that, at a third of the
 * lifetime before expiry so it is not renewed on every check. Immutable.
 */
public record RenewalPolicy(Duration renewBefore) {
    /** Go autocert's default. */
    public static final RenewalPolicy DEFAULT = new RenewalPolicy(Duration.ofDays(30));

    /** True when {@code leaf} should be replaced at {@code now} (also when it has expired). */
    public boolean due(X509Certificate leaf, Instant now) {
        Instant notBefore = leaf.getNotBefore().toInstant();
        Instant notAfter = leaf.getNotAfter().toInstant();
        Duration lifetime = Duration.between(notBefore, notAfter);
        Duration ahead = lifetime.compareTo(renewBefore.multipliedBy(2)) < 0 ? lifetime.dividedBy(3) : renewBefore;
        return !now.isBefore(notAfter.minus(ahead));
    }
}
