package dev.rotor.engine;

/**
 * What an engine keeps of channel history in this process, against its bound ({@code memory_history_budget},
 * docs/security.md "Memory engine history"), as {@code /metrics} shows it: the bytes counted, the budget, and the
 * channel histories removed before their lifetime ended because the budget was reached, since the engine started.
 * Immutable.
 */
public record HistoryUsage(long bytes, long budget, long evicted) {
}
