/**
 * Engine contract tests, written once for every engine: abstract JUnit 5 classes ({@code BrokerContract},
 * {@code PresenceStoreContract}, {@code HistoryStoreContract}) that an engine's test class extends by supplying the
 * engine and a way to let time pass, plus the {@link dev.rotor.testkit.engine.RecordingEngineListener} they observe
 * deliveries with. No engine implementation lives here.
 */
package dev.rotor.testkit.engine;
