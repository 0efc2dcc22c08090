package dev.rotor.server.acme;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which TLS server names get a certificate: Go autocert's {@code HostWhitelist} (exact, case-insensitive; an empty
 * list allows any name) plus {@code ssl_autocert_server_name} for clients that send no SNI. Immutable.
 */
public final class HostPolicy {
    private final Set<String> whitelist;
    private final String defaultName;

    /**
     * @param whitelist   allowed names, lower case; empty allows any name
     * @param defaultName the name assumed without SNI; empty refuses such clients
     */
    public HostPolicy(List<String> whitelist, String defaultName) {
        this.whitelist = Set.copyOf(whitelist);
        this.defaultName = normalize(defaultName);
    }

    /**
     * The host name a handshake is for, or null when it is refused: no SNI and no default name, a name outside the
     * whitelist, or a name that is no DNS host name (an IP literal, a name with a path or port).
     */
    public String resolve(String sni) {
        String name = sni == null || sni.isEmpty() ? defaultName : normalize(sni);
        if (name.isEmpty() || !name.matches("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*")
                || name.matches("[0-9.]+")) {
            return null;
        }
        return whitelist.isEmpty() || whitelist.contains(name) ? name : null;
    }

    /** Lower case without a trailing dot, as Go's autocert compares names. */
    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
