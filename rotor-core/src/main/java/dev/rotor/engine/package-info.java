/**
 * The engine SPI, split by role: {@link dev.rotor.engine.Broker} moves publications between nodes,
 * {@link dev.rotor.engine.PresenceStore} and {@link dev.rotor.engine.HistoryStore} keep channel state,
 * {@link dev.rotor.engine.ControlBus} carries node-to-node control and admin messages. Engines report everything
 * that arrives through {@link dev.rotor.engine.EngineListener}; they never see the node. An engine with external
 * backends reports their state as {@link dev.rotor.engine.EngineShard}s for health checks and metrics. Each engine
 * module brings an {@link dev.rotor.engine.EngineProvider}, which reads its own typed config from a read-only
 * {@link dev.rotor.engine.ConfigValues} view of the resolved keys; no config parser lives here.
 */
package dev.rotor.engine;
