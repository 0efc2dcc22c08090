/**
 * Compatibility-critical signatures as small pure functions: client connection tokens, private channel signs and
 * HTTP API signs, all lowercase-hex HMAC-SHA256 (client-protocol.md §4, http-api.md §2.3).
 */
package dev.rotor.auth;
