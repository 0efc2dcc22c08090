package dev.rotor.server.acme;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;

/** New key pairs from the JDK's own providers (so JSSE takes them as they are): RSA-2048 or EC P-256. Stateless. */
final class Keys {
    private Keys() {
    }

    /** @throws IllegalStateException if the JDK lacks RSA or EC (every Java 17 has both) */
    static KeyPair generate(boolean rsa) {
        try {
            KeyPairGenerator g;
            if (rsa) {
                g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
            } else {
                g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a key pair", e);
        }
    }
}
