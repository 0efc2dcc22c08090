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

    /** The whole history, newest first. */
    CompletionStage<List<Message>> history(String channel);

    /**
     * The whole history with how far back it is known to be unbroken (see {@link HistorySnapshot}); what a recovering
     * subscribe reads. The default is for engines that never lose an acknowledged publication.
     */
    default CompletionStage<HistorySnapshot> historyForRecovery(String channel) {
        return history(channel).thenApply(HistorySnapshot::unbroken);
    }

    /** The uid of the newest message, or {@code ""} when the history is empty. */
    CompletionStage<String> lastMessageId(String channel);
}
