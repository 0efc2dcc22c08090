/**
 * The default single-node engine (memory-engine.md): publications, joins, leaves, control and admin messages are
 * delivered in-process and synchronously, history and presence live in concurrent maps of this JVM.
 * Only {@link dev.rotor.engine.memory.MemoryEngine} and its option-less
 * {@link dev.rotor.engine.memory.MemoryEngineProvider} are public; the role classes go through the engine SPI only
 * and never see the node.
 */
package dev.rotor.engine.memory;
