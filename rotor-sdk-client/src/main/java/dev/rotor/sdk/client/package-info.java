/**
 * A Java realtime client for Rotor and Centrifugo v1 over raw WebSocket, the equivalent of centrifuge-js 1.x:
 * {@link dev.rotor.sdk.client.RotorClient} for the connection (reconnect, refresh, keepalive, batching) and
 * {@link dev.rotor.sdk.client.Subscription} for channels (messages, join/leave, recovery, publish, presence,
 * history). Depends only on the JDK ({@code java.net.http}) and rotor-protocol; the implementation lives in
 * {@code internal}.
 */
package dev.rotor.sdk.client;
