/**
 * The Centrifugo v1 wire model shared by the server and the SDKs: client commands and replies, server pushes,
 * HTTP API commands and replies, and the JSON codec that reads and writes them byte-compatibly with v1.
 * Nothing here knows about sockets, engines or configuration files.
 */
package dev.rotor.protocol;
