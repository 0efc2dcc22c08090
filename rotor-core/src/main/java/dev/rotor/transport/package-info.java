/**
 * The transport SPI that connection adapters (raw WebSocket, SockJS) implement so the core can write frames and
 * close connections without knowing about sockets.
 */
package dev.rotor.transport;
