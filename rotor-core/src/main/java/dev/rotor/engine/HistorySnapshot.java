package dev.rotor.engine;

import dev.rotor.protocol.Message;
import java.util.List;
import java.util.Objects;

/**
 * A channel's history read for recovery: its messages, newest first, and how far back they are known to be
 * unbroken. Immutable.
 *
 * <p>{@code unbrokenThrough} is the index of the oldest message such that no publication acknowledged after it can
 * be missing from {@code messages}: recovering from {@code last} at index {@code i} is exact when
 * {@code i <= unbrokenThrough}. An engine that never loses acknowledged publications (the memory engine) says
 * {@code messages.size() - 1}; the Redis engine says less after a master change that may have dropped publications
 * the old master had acknowledged but not replicated, and {@code -1} when it cannot vouch for any of them.
 *
 * @param messages        the whole history, newest first
 * @param unbrokenThrough from -1 (nothing vouched for) to {@code messages.size() - 1} (all); clamped to that range
 */
public record HistorySnapshot(List<Message> messages, int unbrokenThrough) {
    public HistorySnapshot {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        unbrokenThrough = Math.max(-1, Math.min(unbrokenThrough, messages.size() - 1));
    }

    /** A history that lost nothing: recovery from any message of it is exact. */
    public static HistorySnapshot unbroken(List<Message> messages) {
        return new HistorySnapshot(messages, messages.size() - 1);
    }
}
