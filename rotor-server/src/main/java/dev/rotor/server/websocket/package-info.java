/**
 * The raw WebSocket endpoint {@code /connection/websocket} (client-protocol.md §1.1, §7, §9): the upgrade, the
 * {@link dev.rotor.transport.Transport}, which only frames (one text message per protocol frame; the queue and drain
 * are {@link dev.rotor.server.transport.Outbound}'s), keepalive pings and close codes; and what all three WebSocket
 * endpoints (raw, SockJS, admin) share: the control-frame handler and the one close frame per connection.
 */
package dev.rotor.server.websocket;
