/**
 * A Java client for the server HTTP API of Rotor and Centrifugo v1: {@link dev.rotor.sdk.api.RotorApiClient} for
 * single commands, {@link dev.rotor.sdk.api.Batch} for several commands in one request, and
 * {@link dev.rotor.sdk.api.Tokens} for the connection tokens and channel signs a backend hands to clients. Depends
 * only on the JDK and rotor-protocol.
 */
package dev.rotor.sdk.api;
