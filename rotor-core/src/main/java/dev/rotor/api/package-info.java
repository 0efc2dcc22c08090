/**
 * The API executor: one implementation of the server API commands (publish, broadcast, unsubscribe, disconnect,
 * presence, history, channels, stats, node) shared by the HTTP API, the Redis API queue and the admin socket, so a
 * command behaves the same whichever way it arrives (http-api.md §3–§4). {@link dev.rotor.api.ApiQueueConsumer}
 * runs the Redis API queue's entries on it; {@link dev.rotor.api.ApiV2} renders outcomes in the v2 dialect.
 */
package dev.rotor.api;
