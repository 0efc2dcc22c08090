/**
 * Timers for per-connection timeouts (keepalive pings, read deadlines, stale and expiry closes): a hashed
 * {@link dev.rotor.timer.TimerWheel} confined to one thread, and the thread-safe {@link dev.rotor.timer.Timers}
 * view of it that sessions use. The transport adapters own the wheels and drive them; nothing here starts a thread.
 */
package dev.rotor.timer;
