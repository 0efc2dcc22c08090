/**
 * The node: the local {@link dev.rotor.node.Hub} of subscriptions, one {@link dev.rotor.node.ClientSession} per
 * client connection executing the v1 client protocol, and {@link dev.rotor.node.Node}, which ties them to the
 * engine and serves the API executor. No sockets, no config parsing, no engine internals here.
 */
package dev.rotor.node;
