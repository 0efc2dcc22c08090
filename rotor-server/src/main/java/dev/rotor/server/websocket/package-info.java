/**
 * The raw WebSocket endpoint {@code /connection/websocket} (client-protocol.md §1.1, §7, §9): the upgrade, the
 * {@link dev.rotor.transport.Transport} with coalesced writes, keepalive pings and close codes.
 */
package dev.rotor.server.websocket;
