/**
 * Building blocks that every client transport adapter shares. The write side is one path for all of them:
 * {@code Outbound} owns a connection's frame queue, its byte count for the slow-client check (client-protocol.md
 * §10), the drain task on the event loop with batching through {@code WriteBatch}, and the closed flag (§3), and
 * calls the transport's {@code FrameSink}, which only frames bytes; {@code OutboundTransport}, the base of every
 * adapter, wires the core's {@code Transport} to it, so an adapter writes only its framing and its close. The read side: the sequencer that hands incoming
 * frames to a session one at a time (§2.2), the one owner of a channel's {@code autoRead} ({@code ReadGate}) and the
 * back-pressure installed on every connection ({@code BackPressureHandler}); plus the per-event-loop timer wheels
 * ({@code LoopTimers}) that carry every per-connection timeout. The adapters themselves live in {@code websocket},
 * {@code sockjs} and {@code sse}.
 */
package dev.rotor.server.transport;
