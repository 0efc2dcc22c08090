package dev.rotor.engine;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Moves channel publications to every node subscribed to the channel, this node included.
 *
 * <p>Contract, for every implementation:
 * <ul>
 *   <li>Every method is thread-safe, never blocks the caller, and fails only by completing the stage
 *       exceptionally (never by throwing).</li>
 *   <li>Delivery: a publication completes only after it was handed to the transport between nodes (for the memory
 *       engine: after local listeners ran). Each node receives messages of one channel in publish order, through
 *       {@link EngineListener#onMessage}, {@link EngineListener#onJoin} and {@link EngineListener#onLeave}, but only
 *       while it is subscribed to that channel.</li>
 *   <li>History: when {@code history.enabled()}, {@link #publish} stores the message in the channel history
 *       atomically with delivering it, so that a reader never sees a delivered message missing from history.</li>
 *   <li>Names: distinct channels never alias, whatever characters they hold. A channel, message uid, client id or
 *       user that is not well-formed UTF-16 is refused: the stage fails with {@link IllFormedNameException} and
 *       nothing is stored, sent or subscribed under an altered name.</li>
 * </ul>
 */
public interface Broker {

    /** Publishes a message to a channel, storing it in history as {@code history} says. */
    CompletionStage<Void> publish(Message message, HistoryOptions history);

    /** Publishes a join event to a channel. */
    CompletionStage<Void> publishJoin(String channel, ClientInfo info);

    /** Publishes a leave event to a channel. */
    CompletionStage<Void> publishLeave(String channel, ClientInfo info);

    /**
     * Subscribes this node to a channel; called when the node's first local subscriber arrives. Idempotent.
     * Messages published after the returned stage completes are delivered to this node.
     */
    CompletionStage<Void> subscribe(String channel);

    /**
     * Unsubscribes this node from a channel; called when the node's last local subscriber leaves. Idempotent.
     * With {@code history.dropInactive()} the implementation opens the inactivity window described in
     * memory-engine.md ("history_drop_inactive") so publishes right after the last subscriber left are kept.
     */
    CompletionStage<Void> unsubscribe(String channel, HistoryOptions history);

    /** Channels with at least one subscribed node (memory: this node). Order unspecified. */
    CompletionStage<List<String>> channels();
}
