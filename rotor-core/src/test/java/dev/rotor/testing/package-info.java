/**
 * Test fixtures of the core that other modules' tests use, shipped in the rotor-core test-jar: the recording fakes
 * ({@link dev.rotor.testing.RecordingTransport}, {@link dev.rotor.testing.RecordingEngineListener}), the manual clock
 * and scheduler, and the engine contract tests every engine runs ({@link dev.rotor.testing.BrokerContract},
 * {@link dev.rotor.testing.PresenceStoreContract}, {@link dev.rotor.testing.HistoryStoreContract}). They live in a
 * package of their own, not in the packages they test: the core is a Java module, and a test-jar on another module's
 * class path cannot add classes to a package the module owns.
 */
package dev.rotor.testing;
