/**
 * Channel names and the options that govern them: namespaces, private ({@code $}), user-limited ({@code #}) and
 * client-limited ({@code &}) channel rules as pure functions (client-protocol.md §6.3–6.4).
 * No I/O and no mutable state lives here.
 */
package dev.rotor.channel;
