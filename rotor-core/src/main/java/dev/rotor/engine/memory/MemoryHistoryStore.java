package dev.rotor.engine.memory;

import dev.rotor.engine.HistoryOptions;
import dev.rotor.engine.HistoryStore;
import dev.rotor.engine.IllFormedNameException;
import dev.rotor.engine.MessageSizes;
import dev.rotor.protocol.Message;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Channel history in process memory (memory-engine.md "History"). Thread-safe.
 *
 * <p>Each channel has one entry: its messages, newest first, truncated to exactly {@code history_size}, and one
 * expiry time for the whole list. Every entry is read and changed only inside {@link ConcurrentHashMap#compute}
 * (and its siblings) for its key, so operations on different channels do not contend and an entry is never seen
 * half-updated. Expired entries read as empty and are removed lazily on access and by {@link #removeExpired()},
 * which the engine runs once per second.
 *
 * <p>Beyond v1, the bytes held are bounded by {@code memory_history_budget} (docs/security.md, "Memory engine
 * history"): channel names are the publisher's choice, so without a bound a client allowed to publish could fill the
 * heap with histories of ever new channels for {@code history_lifetime}. Each entry counts its messages' payloads
 * and names plus fixed allowances for the objects that hold them ({@link #cost}); when a store takes the total past
 * the budget, whole channel histories are removed before their lifetime ends until it is within it again, each time
 * the one expiring first among {@value #SAMPLES} looked at in turn (the sampled eviction Redis uses for
 * {@code volatile-ttl}), which is what expiry would have removed next. A removed history reads as expired: empty,
 * and no last message id, so recovery reports it as not recovered, as after its lifetime.
 */
final class MemoryHistoryStore implements HistoryStore {
    private static final Logger log = LoggerFactory.getLogger(MemoryHistoryStore.class);
    private static final CompletionStage<String> NO_ID = CompletableFuture.completedStage("");
    private static final CompletionStage<List<Message>> NO_MESSAGES = CompletableFuture.completedStage(List.of());

    /** Bytes counted per message besides its payloads and names: the message, its info and their arrays. */
    static final int MESSAGE_OVERHEAD = 200;
    /** Bytes counted per channel history besides its name: the map node, the entry and its ring. */
    static final int ENTRY_OVERHEAD = 200;
    /** Entries looked at per removal. */
    static final int SAMPLES = 8;
    /** The budget warning is written at most once per this many milliseconds. */
    static final long WARNING_INTERVAL_MILLIS = 60_000;

    private final LongSupplier clock;
    private final long budget;
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    /** The bytes counted for every entry in {@link #entries}, changed after each change of an entry. */
    private final AtomicLong bytes = new AtomicLong();
    /** Held by the one thread removing histories over budget. */
    private final ReentrantLock evicting = new ReentrantLock();
    private Iterator<Map.Entry<String, Entry>> hand; // guarded by evicting: where the next samples are taken
    private volatile long evicted; // written under evicting: histories removed over budget since the engine started
    private long evictedUnreported; // guarded by evicting: of those, how many no warning has counted yet
    private long warnedAt = Long.MIN_VALUE; // guarded by evicting: clock millis of the last warning

    /**
     * One channel's history: its messages newest first in a ring, each with the bytes it counts, so that dropping
     * the oldest reads only this entry's own arrays (the message itself may be long out of this core's caches, and
     * the bin lock of the map is held meanwhile). Mutated only inside a map compute for its key.
     */
    private static final class Entry {
        private Message[] ring = new Message[2];
        private int[] costs = new int[2];
        private int first; // index of the newest message
        private int count;
        /**
         * Clock millis; the entry is expired when now >= expireAt. Written inside a compute; eviction also reads it
         * outside one, racily: a stale value only changes which of the sampled entries is removed.
         */
        long expireAt;
        long bytes; // as counted in the store's total: the entry, its name and its messages

        Entry(String channel, long expireAt) {
            this.expireAt = expireAt;
            this.bytes = ENTRY_OVERHEAD + 2L * channel.length();
        }

        boolean expired(long now) {
            return now >= expireAt;
        }

        /** Adds the newest message, dropping the oldest beyond {@code size}; returns the change of {@link #bytes}. */
        long push(Message message, int cost, int size) {
            long delta = cost;
            while (count >= size && count > 0) {
                int last = index(count - 1);
                delta -= costs[last];
                ring[last] = null;
                count--;
            }
            if (count == ring.length) {
                grow(Math.max(count + 1, Math.min(2 * count, size)));
            }
            first = (first - 1 + ring.length) % ring.length;
            ring[first] = message;
            costs[first] = cost;
            count++;
            bytes += delta;
            return delta;
        }

        private int index(int fromNewest) {
            return (first + fromNewest) % ring.length;
        }

        private void grow(int capacity) {
            Message[] r = new Message[capacity];
            int[] c = new int[r.length];
            for (int i = 0; i < count; i++) {
                r[i] = ring[index(i)];
                c[i] = costs[index(i)];
            }
            ring = r;
            costs = c;
            first = 0;
        }

        Message newest() {
            return count == 0 ? null : ring[first];
        }

        List<Message> newestFirst() {
            Message[] out = new Message[count];
            for (int i = 0; i < count; i++) {
                out[i] = ring[index(i)];
            }
            return Collections.unmodifiableList(Arrays.asList(out));
        }
    }

    /** A store with the default budget ({@link MemoryEngine#defaultHistoryBudget()}). */
    MemoryHistoryStore(LongSupplier clock) {
        this(clock, MemoryEngine.defaultHistoryBudget());
    }

    /**
     * @param clock  monotonic milliseconds
     * @param budget the bytes all histories may count together ({@code memory_history_budget}), positive
     */
    MemoryHistoryStore(LongSupplier clock, long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("history budget must be positive, got " + budget);
        }
        this.clock = clock;
        this.budget = budget;
    }

    /**
     * The bytes a stored message counts: {@link MessageSizes#bytes} and {@link #MESSAGE_OVERHEAD}; the channel name
     * is counted once per entry.
     */
    static long cost(Message m) {
        return MESSAGE_OVERHEAD + MessageSizes.bytes(m);
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
        Storing storing = new Storing(message, (int) Math.min(Integer.MAX_VALUE, cost(message)), now,
                now + options.lifetime() * 1000L, options.size(), options.dropInactive() && !subscribed);
        entries.compute(message.channel(), storing);
        account(storing.delta);
    }

    /** The change of one {@link #store}, and the bytes it added or freed. */
    private static final class Storing implements BiFunction<String, Entry, Entry> {
        private final Message message;
        private final int cost;
        private final long now;
        private final long expireAt;
        private final int size;
        /** No live entry may be created (history_drop_inactive without a local subscriber). */
        private final boolean refuseNew;
        long delta;

        Storing(Message message, int cost, long now, long expireAt, int size, boolean refuseNew) {
            this.message = message;
            this.cost = cost;
            this.now = now;
            this.expireAt = expireAt;
            this.size = size;
            this.refuseNew = refuseNew;
        }

        @Override
        public Entry apply(String channel, Entry entry) {
            if (entry != null && entry.expired(now)) {
                delta -= entry.bytes;
                entry = null;
            }
            if (entry == null) {
                // v1 compat (memory-engine.md "history_drop_inactive"): without a local subscriber and without an
                // open inactivity window nothing is stored.
                if (refuseNew) {
                    return null;
                }
                entry = new Entry(channel, expireAt);
                delta += entry.bytes;
            }
            // Memory keeps exactly history_size entries (Redis keeps one more).
            delta += entry.push(message, cost, size);
            entry.expireAt = expireAt; // each stored publish extends the whole list's life
            return entry;
        }
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
        long[] delta = new long[1];
        entries.compute(channel, (key, entry) -> {
            if (entry != null && !entry.expired(now)) {
                return entry;
            }
            Entry fresh = new Entry(key, expireAt);
            delta[0] = fresh.bytes - (entry == null ? 0 : entry.bytes);
            return fresh;
        });
        account(delta[0]);
    }

    @Override
    public CompletionStage<List<Message>> history(String channel, int limit) {
        CompletionStage<List<Message>> refused = refused(channel);
        if (refused != null) {
            return refused;
        }
        List<Message> messages = readLive(channel, Entry::newestFirst);
        if (messages == null || messages.isEmpty()) {
            return NO_MESSAGES;
        }
        // kept at most at the history_size it was written with; shorter only after a reload lowered it
        return CompletableFuture.completedStage(messages.size() <= limit ? messages
                : List.copyOf(messages.subList(0, Math.max(limit, 0))));
    }

    @Override
    public CompletionStage<String> lastMessageId(String channel) {
        CompletionStage<String> refused = refused(channel);
        if (refused != null) {
            return refused;
        }
        Message newest = readLive(channel, Entry::newest);
        return newest == null ? NO_ID : CompletableFuture.completedStage(newest.uid());
    }

    /** The failed stage for a null or ill-formed channel name; null for a good one. */
    private static <T> CompletionStage<T> refused(String channel) {
        if (channel == null) {
            return CompletableFuture.failedStage(new NullPointerException("channel"));
        }
        IllFormedNameException bad = IllFormedNameException.check(channel);
        return bad == null ? null : CompletableFuture.failedStage(bad);
    }

    /**
     * {@code read} applied to the channel's live entry inside its compute (so it sees a whole entry); null when the
     * channel has none. An expired entry is removed on the way, and its bytes accounted for.
     */
    private <T> T readLive(String channel, Function<Entry, T> read) {
        long now = clock.getAsLong();
        Object[] result = new Object[1];
        long[] freed = new long[1];
        entries.computeIfPresent(channel, (key, entry) -> {
            if (entry.expired(now)) {
                freed[0] = entry.bytes;
                return null;
            }
            result[0] = read.apply(entry);
            return entry;
        });
        account(-freed[0]);
        @SuppressWarnings("unchecked")
        T value = (T) result[0];
        return value;
    }

    /** Removes every expired entry; returns how many were removed. */
    int removeExpired() {
        long now = clock.getAsLong();
        int removed = 0;
        for (String channel : entries.keySet()) {
            long freed = remove(channel, now);
            if (freed > 0) {
                removed++;
                account(-freed);
            }
        }
        return removed;
    }

    /**
     * Removes the channel's entry if it expired by {@code now} (any entry for {@code Long.MAX_VALUE}); returns the
     * bytes it counted, 0 when none was removed. The caller accounts for them.
     */
    private long remove(String channel, long now) {
        long[] freed = new long[1];
        entries.computeIfPresent(channel, (key, entry) -> {
            if (entry.expired(now)) {
                freed[0] = entry.bytes;
                return null;
            }
            return entry;
        });
        return freed[0];
    }

    /** Adds {@code delta} to the total, and removes histories while the total is over the budget. */
    private void account(long delta) {
        if (delta != 0 && bytes.addAndGet(delta) > budget && delta > 0) {
            evict();
        }
    }

    /**
     * Removes whole histories, each the one expiring first of {@link #SAMPLES} taken in turn, until the total is
     * within the budget. One thread at a time; another that took the total past the budget meanwhile waits, and
     * returns once it is within it, so the total exceeds the budget by at most the messages being stored at that
     * moment (one per storing thread). Going on without waiting would let the others store without bound while the
     * remover is not scheduled.
     */
    private void evict() {
        evicting.lock();
        try {
            int removed = 0;
            while (bytes.get() > budget) {
                String channel = earliestOfSample();
                if (channel == null) {
                    break;
                }
                long freed = remove(channel, Long.MAX_VALUE);
                if (freed > 0) {
                    bytes.addAndGet(-freed);
                    removed++;
                }
            }
            if (removed > 0) {
                reportEvicted(removed);
            }
        } finally {
            evicting.unlock();
        }
    }

    /** The channel expiring first among the next {@link #SAMPLES} entries of the map; null when it is empty. */
    private String earliestOfSample() {
        String earliest = null;
        long earliestAt = Long.MAX_VALUE;
        for (int i = 0; i < SAMPLES; i++) {
            if (hand == null || !hand.hasNext()) {
                hand = entries.entrySet().iterator();
                if (!hand.hasNext()) {
                    break;
                }
            }
            Map.Entry<String, Entry> e = hand.next();
            long at = e.getValue().expireAt;
            if (earliest == null || at < earliestAt) {
                earliest = e.getKey();
                earliestAt = at;
            }
        }
        return earliest;
    }

    /** Counts removed histories, and warns at once, then at most once per {@link #WARNING_INTERVAL_MILLIS}. */
    private void reportEvicted(int removed) {
        evicted += removed;
        evictedUnreported += removed;
        long now = clock.getAsLong();
        if (warnedAt != Long.MIN_VALUE && now - warnedAt < WARNING_INTERVAL_MILLIS) {
            return;
        }
        warnedAt = now;
        log.warn("Memory engine history over its budget of {} bytes (memory_history_budget): {} channel histories "
                + "removed before their history_lifetime ended, {} since start; raise memory_history_budget or the "
                + "heap, or lower history_size or history_lifetime", budget, evictedUnreported, evicted);
        evictedUnreported = 0;
    }

    /** The bytes all histories may count together. */
    long budget() {
        return budget;
    }

    /** Number of channel entries held, expired or not (for tests). */
    int entryCount() {
        return entries.size();
    }

    /** The bytes of every entry held, summed afresh; equals {@link #bytes()} when no store runs (for tests). */
    long recount() {
        long sum = 0;
        for (Entry e : entries.values()) {
            sum += e.bytes;
        }
        return sum;
    }

    /** The bytes counted for the entries held. */
    long bytes() {
        return bytes.get();
    }

    /** Histories removed over budget since the start. */
    long evictedCount() {
        return evicted;
    }

    /** Drops everything (engine close). */
    void clear() {
        entries.clear();
        bytes.set(0);
    }
}
