/** The single-node engine: every role in process memory. PLACEHOLDER package on the config branch. */
package dev.rotor.engine.memory;
