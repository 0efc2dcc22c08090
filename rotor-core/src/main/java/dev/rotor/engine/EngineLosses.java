package dev.rotor.engine;

/**
 * What an engine that talks to a backend (Redis) dropped or read back since it started, as {@code /metrics} shows it
 * (docs/monitoring.md): messages from the backend dropped because the node's backlog was full (their channels'
 * subscribers are told to recover), control messages this node missed and read back from the backend's control log,
 * and API queue entries dropped unparsed because they were longer than the limit. Immutable.
 */
public record EngineLosses(long messagesDropped, long controlRecovered, long apiEntriesDropped) {
}
