/**
 * Compatibility-critical signatures and tokens as small pure functions: v1's lowercase-hex HMAC-SHA256 client
 * tokens, private channel signs and HTTP API signs (client-protocol.md §4, http-api.md §2.3), admin web tokens,
 * and, beyond v1, JWT connection and channel tokens and the {@code Authorization: apikey} check of the
 * Centrifugo v2 API dialect (rubycent-wire.md).
 */
package dev.rotor.auth;
