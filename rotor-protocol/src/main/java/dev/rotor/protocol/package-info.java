/**
 * The Centrifugo v1 wire model shared by the server and the SDKs: client commands and replies, server pushes,
 * HTTP API commands and replies, and the JSON codec that reads and writes them byte-compatibly with v1. The values a
 * client can see are tables here: {@link dev.rotor.protocol.ProtocolError} with its {@link dev.rotor.protocol.Advice},
 * {@link dev.rotor.protocol.Method} (which surface accepts which method name) and {@link dev.rotor.protocol.Failures}
 * (the error text of a failed command). Nothing here knows about sockets, engines or configuration files.
 */
package dev.rotor.protocol;
