package dev.rotor.engine;

import dev.rotor.protocol.Message;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Reads channel history written by {@link Broker#publish}. Thread-safe; every method fails only by completing
 * exceptionally. A missing or expired history reads as empty, never as an error. A channel that is not well-formed
 * UTF-16 fails the stage with {@link IllFormedNameException}, as for {@link Broker}.
 */
public interface HistoryStore {

    /**
     * At most the newest {@code limit} messages of the history, newest first. The node reads with the channel's
     * {@code history_size}: what a read holds stays bounded even when another writer kept a longer history (a node
     * configured with a larger size, or anyone with access to Redis).
     */
    CompletionStage<List<Message>> history(String channel, int limit);

    /** The whole history, newest first. */
    default CompletionStage<List<Message>> history(String channel) {
        return history(channel, Integer.MAX_VALUE);
    }

    /**
     * At most the newest {@code limit} messages with how far back the history is known to be unbroken (see
     * {@link HistorySnapshot}); what a recovering subscribe reads. The default is for engines that never lose an
     * acknowledged publication.
     */
    default CompletionStage<HistorySnapshot> historyForRecovery(String channel, int limit) {
        return history(channel, limit).thenApply(HistorySnapshot::unbroken);
    }

    /** {@link #historyForRecovery(String, int)} of the whole history. */
    default CompletionStage<HistorySnapshot> historyForRecovery(String channel) {
        return historyForRecovery(channel, Integer.MAX_VALUE);
    }

    /** The uid of the newest message, or {@code ""} when the history is empty. */
    CompletionStage<String> lastMessageId(String channel);
}
