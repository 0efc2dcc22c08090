/**
 * Turns a config file (JSON, TOML or YAML), {@code CENTRIFUGO_*} environment variables and command-line flags into
 * one validated, immutable {@link dev.rotor.config.RotorConfig}, with Centrifugo v1.8.0's precedence, typing and
 * error messages (configuration.md). The records it fills ({@code NodeConfig}, {@code ServerConfig}) live where they
 * are consumed; this package only parses and validates. The engine keys are only resolved here and handed on as a
 * {@link dev.rotor.engine.ConfigValues} view: each engine's provider reads its own typed config from them. No
 * network, no logging: errors are {@link dev.rotor.config.ConfigException}s whose messages the CLI prints as they
 * are, and keys the file sets that Rotor does not know come back as messages with a "did you mean" hint, which the
 * CLI logs as warnings at start and {@code checkconfig --strict} as errors.
 */
package dev.rotor.config;
