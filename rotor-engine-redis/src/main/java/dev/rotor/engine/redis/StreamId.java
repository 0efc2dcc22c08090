package dev.rotor.engine.redis;

import java.nio.charset.StandardCharsets;

/**
 * The id of a Redis stream entry, {@code <milliseconds>-<sequence>}, both unsigned 64-bit, ordered as Redis orders
 * them. Immutable.
 */
record StreamId(long millis, long sequence) implements Comparable<StreamId> {
    /** Before every entry Redis can make ({@code 0-0} is never an entry's id). */
    static final StreamId ZERO = new StreamId(0, 0);
    /** The longest id Redis writes: two 20-digit numbers and the dash. */
    private static final int MAX_LENGTH = 41;

    /** Parses an id as Redis writes it; {@link WireCodec.MalformedException} for anything else. */
    static StreamId parse(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > MAX_LENGTH) {
            throw new WireCodec.MalformedException("not a stream id");
        }
        String s = new String(bytes, StandardCharsets.US_ASCII);
        int dash = s.indexOf('-');
        if (dash <= 0 || dash == s.length() - 1 || !digits(s, 0, dash) || !digits(s, dash + 1, s.length())) {
            throw new WireCodec.MalformedException("not a stream id");
        }
        try {
            return new StreamId(Long.parseUnsignedLong(s, 0, dash, 10),
                    Long.parseUnsignedLong(s, dash + 1, s.length(), 10));
        } catch (NumberFormatException e) {
            throw new WireCodec.MalformedException("not a stream id");
        }
    }

    private static boolean digits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    /** The smallest id after this one (for an inclusive range that starts after it); the largest id stays itself. */
    StreamId next() {
        if (sequence != -1L) {
            return new StreamId(millis, sequence + 1);
        }
        return millis == -1L ? this : new StreamId(millis + 1, 0);
    }

    boolean isAfter(StreamId other) {
        return compareTo(other) > 0;
    }

    @Override
    public int compareTo(StreamId o) {
        int c = Long.compareUnsigned(millis, o.millis);
        return c != 0 ? c : Long.compareUnsigned(sequence, o.sequence);
    }

    @Override
    public String toString() {
        return Long.toUnsignedString(millis) + "-" + Long.toUnsignedString(sequence);
    }
}
