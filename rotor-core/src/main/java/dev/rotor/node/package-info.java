/**
 * The node: one {@link dev.rotor.node.ClientSession} per client connection executing the v1 client protocol, and
 * {@link dev.rotor.node.Node}, which ties sessions to the engine, fans publications out and serves the API executor
 * and the server. The hub of local subscriptions and the command dispatch are package-private: other packages see
 * only {@code Node}, {@code ClientSession}, {@code NodeConfig}, {@code NodeInfo} and {@code AdminMessages}. No
 * sockets, no config parsing, no engine internals here.
 */
package dev.rotor.node;
