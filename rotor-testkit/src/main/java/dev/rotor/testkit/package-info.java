/**
 * Test fixtures shared by every module's tests: a raw WebSocket client ({@link dev.rotor.testkit.WsTestClient}), a
 * signed HTTP API client ({@link dev.rotor.testkit.ApiTestClient}) and a runner for the Node scripts that drive the
 * real v1 JavaScript client ({@link dev.rotor.testkit.NodeScript}), a raw SockJS client
 * ({@link dev.rotor.testkit.SockJsTestClient}, {@link dev.rotor.testkit.HttpStream}) and an engine with gated
 * presence reads ({@link dev.rotor.testkit.GatedPresenceEngine}). Test scope only; nothing here ships in the server.
 */
package dev.rotor.testkit;
