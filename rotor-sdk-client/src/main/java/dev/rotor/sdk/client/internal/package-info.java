/**
 * The realtime client's implementation: the connection state machine ({@link RealRotorClient}), subscriptions,
 * reply correlation by command uid, frame encoding and decoding, and the serial callback executor. Not an API;
 * applications use {@code dev.rotor.sdk.client} only.
 */
package dev.rotor.sdk.client.internal;
