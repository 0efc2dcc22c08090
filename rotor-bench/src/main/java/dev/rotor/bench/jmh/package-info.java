/**
 * JMH micro-benchmarks of the hot paths: command decoding, publication encoding, hub fan-out to many sessions,
 * the HTTP API executor and HMAC checks. Run with {@code bin/bench jmh}; never part of the test run.
 */
package dev.rotor.bench.jmh;
