package dev.rotor.engine.memory;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.IllFormedNameException;
import dev.rotor.protocol.Message;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Channel history in process memory (memory-engine.md "History"). Thread-safe.
 *
 * <p>Each channel has one entry: its messages, newest first, truncated to exactly {@code history_size}, and one
 * expiry time for the whole list. Every entry is read and changed only inside {@link ConcurrentHashMap#compute}
 * (and its siblings) for its key, so operations on different channels do not contend and an entry is never seen
 * half-updated. Expired entries read as empty and are removed lazily on access and by {@link #removeExpired()},
 * which the engine runs once per second.
 */
final class MemoryHistoryStore implements HistoryStore {
    private static final CompletionStage<String> NO_ID = CompletableFuture.completedStage("");
    private static final CompletionStage<List<Message>> NO_MESSAGES = CompletableFuture.completedStage(List.of());

    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** One channel's history; mutated only inside a map compute for its key. */
    private static final class Entry {
        final ArrayDeque<Message> messages = new ArrayDeque<>(); // newest first
        long expireAt; // clock millis; the entry is expired when now >= expireAt

        Entry(long expireAt) {
            this.expireAt = expireAt;
        }

        boolean expired(long now) {
            return now >= expireAt;
        }
    }

    /** @param clock monotonic milliseconds */
    MemoryHistoryStore(LongSupplier clock) {
        this.clock = clock;
    }

    /**
     * Stores a published message if the options and the drop-inactive rule say so. Called by the broker while it
     * holds the channel's delivery lock, so history order equals delivery order.
     *
     * @param subscribed whether this node is subscribed to the channel (it has local subscribers)
     */
    void store(Message message, HistoryOptions options, boolean subscribed) {
        if (!options.enabled()) {
            return;
        }
        long now = clock.getAsLong();
        long expireAt = now + options.lifetime() * 1000L;
        int size = options.size();
        entries.compute(message.channel(), (channel, entry) -> {
            if (entry != null && entry.expired(now)) {
                entry = null;
            }
            if (entry == null) {
                // v1 compat (memory-engine.md "history_drop_inactive"): without a local subscriber and without an
                // open inactivity window nothing is stored.
                if (options.dropInactive() && !subscribed) {
                    return null;
                }
                entry = new Entry(expireAt);
            }
            entry.messages.addFirst(message);
            // Memory keeps exactly history_size entries (Redis keeps one more).
            while (entry.messages.size() > size) {
                entry.messages.removeLast();
            }
            entry.expireAt = expireAt; // each stored publish extends the whole list's life
            return entry;
        });
    }

    /**
     * Opens the drop-inactive window when the node's last subscriber left: creates an empty entry expiring
     * {@code history_lifetime} from now unless a live entry exists, whose expiry is then left alone
     * (memory-engine.md "history_drop_inactive").
     */
    void touch(String channel, HistoryOptions options) {
        if (!options.enabled() || !options.dropInactive()) {
            return;
        }
        long now = clock.getAsLong();
        long expireAt = now + options.lifetime() * 1000L;
        entries.compute(channel, (key, entry) -> entry != null && !entry.expired(now) ? entry : new Entry(expireAt));
    }

    @Override
    public CompletionStage<List<Message>> history(String channel) {
        if (channel == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        long now = clock.getAsLong();
        Object[] result = new Object[1];
        entries.computeIfPresent(channel, (key, entry) -> {
            if (entry.expired(now)) {
                return null;
            }
            result[0] = List.copyOf(entry.messages);
            return entry;
        });
        @SuppressWarnings("unchecked")
        List<Message> messages = (List<Message>) result[0];
        return messages == null || messages.isEmpty() ? NO_MESSAGES : CompletableFuture.completedStage(messages);
    }

    @Override
    public CompletionStage<String> lastMessageId(String channel) {
        if (channel == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        if (bad != null) {
            return CompletableFuture.failedStage(bad);
        }
        long now = clock.getAsLong();
        String[] result = new String[1];
        entries.computeIfPresent(channel, (key, entry) -> {
            if (entry.expired(now)) {
                return null;
            }
            Message newest = entry.messages.peekFirst();
            result[0] = newest == null ? null : newest.uid();
            return entry;
        });
        return result[0] == null ? NO_ID : CompletableFuture.completedStage(result[0]);
    }

    /** Removes every expired entry; returns how many were removed. */
    int removeExpired() {
        long now = clock.getAsLong();
        int[] removed = new int[1];
        for (String channel : entries.keySet()) {
            entries.computeIfPresent(channel, (key, entry) -> {
                if (entry.expired(now)) {
                    removed[0]++;
                    return null;
                }
                return entry;
            });
        }
        return removed[0];
    }

    /** Number of channel entries held, expired or not (for tests). */
    int entryCount() {
        return entries.size();
    }

    /** Drops everything (engine close). */
    void clear() {
        entries.clear();
    }
}
