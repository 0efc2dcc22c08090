package dev.rotor.server.acme;

import io.netty.handler.ssl.SslContext;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The challenge responses being served while an order is validated: tls-alpn-01 certificates by host name (for
 * handshakes that offer the {@code acme-tls/1} protocol) and http-01 key authorizations by token. Written by the
 * issuer, read by the TLS and http-01 handlers. Thread-safe (concurrent maps).
 */
public final class Challenges {
    private final Map<String, SslContext> tlsAlpn = new ConcurrentHashMap<>();
    private final Map<String, String> http = new ConcurrentHashMap<>();

    void putTlsAlpn(String host, SslContext context) {
        tlsAlpn.put(host, context);
    }

    void removeTlsAlpn(String host) {
        tlsAlpn.remove(host);
    }

    void putHttp(String token, String keyAuthorization) {
        http.put(token, keyAuthorization);
    }

    void removeHttp(String token) {
        http.remove(token);
    }

    /** The tls-alpn-01 context of a host under validation. */
    public Optional<SslContext> tlsAlpn(String host) {
        return Optional.ofNullable(tlsAlpn.get(host));
    }

    /** The http-01 key authorization of a token under validation. */
    public Optional<String> http(String token) {
        return Optional.ofNullable(http.get(token));
    }
}
