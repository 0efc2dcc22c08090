package dev.rotor.config;

/** Rotor's own version and the Centrifugo version it is compatible with. Stateless. */
public final class RotorVersion {
    /** The Centrifugo release whose behaviour Rotor reproduces. */
    public static final String CENTRIFUGO_COMPATIBLE = "1.8.0";

    /** Used when the classes do not come from the packaged jar (tests, IDE). */
    static final String FALLBACK = "0.1.0-SNAPSHOT";

    private RotorVersion() {
    }

    /** The {@code Implementation-Version} of the jar manifest, or {@value #FALLBACK} outside the packaged jar. */
    public static String current() {
        String v = RotorVersion.class.getPackage().getImplementationVersion();
        return v == null || v.isBlank() ? FALLBACK : v;
    }
}
