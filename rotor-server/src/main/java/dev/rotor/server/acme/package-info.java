/**
 * ACME certificates on demand ({@code ssl_autocert}, configuration.md §3.5), like Go's autocert that v1 uses: the
 * first TLS handshake for an allowed host name triggers issuance through acme4j (RFC 8555) with the tls-alpn-01
 * challenge on the TLS port or http-01 on {@code ssl_autocert_http_addr}; keys and certificates are cached as PEM
 * files in {@code ssl_autocert_cache_dir} and renewed in the background before they expire. Issuance runs on its
 * own executor; Netty event loops only wait on futures.
 */
package dev.rotor.server.acme;
