package dev.rotor.config;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * ACME (Let's Encrypt) certificate settings, the {@code ssl_autocert*} keys of configuration.md §3.5 plus the
 * {@code ssl_autocert_directory} and {@code ssl_autocert_directory_ca} keys beyond v1. When {@code enabled} they
 * take precedence over {@code ssl}. Not reloadable. Immutable.
 */
public record AutocertSettings(
        boolean enabled,
        String hostWhitelist,
        String cacheDir,
        String email,
        boolean forceRsa,
        String serverName,
        boolean http,
        String httpAddr,
        String directory,
        String directoryCa) {

    public AutocertSettings {
        Objects.requireNonNull(hostWhitelist, "hostWhitelist");
        Objects.requireNonNull(cacheDir, "cacheDir");
        Objects.requireNonNull(email, "email");
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(httpAddr, "httpAddr");
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(directoryCa, "directoryCa");
    }

    /**
     * The whitelisted host names: the comma list, trimmed, lower-cased, empty entries skipped; empty means any
     * host.
     */
    public List<String> hosts() {
        return Arrays.stream(hostWhitelist.split(",")).map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }
}
