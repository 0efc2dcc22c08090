package dev.rotor.config;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * ACME (Let's Encrypt) certificate settings, the {@code ssl_autocert*} keys of configuration.md §3.5. When
 * {@code enabled} they take precedence over {@code ssl}. Not reloadable. Immutable.
 */
public record AutocertSettings(
        boolean enabled,
        String hostWhitelist,
        String cacheDir,
        String email,
        boolean forceRsa,
        String serverName,
        boolean http,
        String httpAddr) {

    public AutocertSettings {
        Objects.requireNonNull(hostWhitelist, "hostWhitelist");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(httpAddr, "httpAddr");
    }

    /** The whitelisted host names: the comma list, trimmed, empty entries skipped; empty means any host. */
    public List<String> hosts() {
        return Arrays.stream(hostWhitelist.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
