/**
 * Building blocks that every client transport adapter shares: the outgoing frame queue with its byte count
 * (client-protocol.md §10), the sequencer that hands incoming frames to a session one at a time (§2.2), both
 * Netty-free, the per-event-loop timer wheels ({@code LoopTimers}) that carry every per-connection timeout, and the
 * read side's flow control: the one owner of a channel's {@code autoRead} ({@code ReadGate}) and the back-pressure
 * installed on every connection ({@code BackPressureHandler}). The adapters themselves live in {@code websocket} and
 * {@code sockjs}.
 */
package dev.rotor.server.transport;
