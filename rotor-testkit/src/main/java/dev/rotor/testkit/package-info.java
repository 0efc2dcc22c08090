/**
 * Test fixtures shared by every module's tests: a raw WebSocket test client, the recording transport, engine
 * contract tests and launchers for real external processes. Never used by production code.
 */
package dev.rotor.testkit;
