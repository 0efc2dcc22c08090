package dev.rotor.server.acme;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which TLS server names get a certificate: Go autocert's {@code HostWhitelist} (exact, case-insensitive; an empty
 * list allows any name) plus {@code ssl_autocert_server_name} for clients that send no SNI. Immutable.
 */
public final class HostPolicy {
    /** One DNS label: letters, digits and inner dashes, at most 63 characters (RFC 1035 §2.3.4). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** The longest host name, without the trailing dot (RFC 1035 §2.3.4). */
    private static final int MAX_NAME = 253;

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
        if (!isHostName(name)) {
            return null;
        }
        return whitelist.isEmpty() || whitelist.contains(name) ? name : null;
    }

    /**
     * A DNS host name within DNS's limits, and no IP literal. The client chooses the name (up to 64 KiB in a
     * ClientHello), so the length is checked before any matching, and each label is matched on its own: one pattern
     * over the whole name recursed once per label, and a name of thousands of short labels overflowed the stack.
     */
    private static boolean isHostName(String name) {
        if (name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        boolean allDigits = true;
        int start = 0;
        while (start <= name.length()) {
            int dot = name.indexOf('.', start);
            int end = dot < 0 ? name.length() : dot;
            String label = name.substring(start, end);
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
            allDigits &= label.chars().allMatch(c -> c >= '0' && c <= '9');
            start = end + 1;
        }
        return !allDigits; // 127.0.0.1
    }

    /** Lower case without a trailing dot, as Go's autocert compares names. */
    private static String normalize(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
