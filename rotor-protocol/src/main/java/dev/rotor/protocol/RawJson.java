package dev.rotor.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A JSON value kept as the exact bytes a client or backend sent, so it can be relayed verbatim.
 *
 * <p>Immutable and thread-safe. v1 inserts published {@code data} and client {@code info} verbatim into pushes
 * ("push rendering") but re-emits them compacted in presence, history and API replies ("serialised rendering",
 * client-protocol.md §6); {@link #compacted()} gives the latter, computed once on first use.
 */
public final class RawJson {
    /** The JSON literal {@code null}. */
    public static final RawJson NULL = new RawJson(new byte[] {'n', 'u', 'l', 'l'});

    private final byte[] bytes;
    private volatile byte[] compacted; // lazily computed; benign race

    private RawJson(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps bytes the caller promises not to modify afterwards (no copy). */
    public static RawJson wrap(byte[] bytes) {
        return new RawJson(bytes);
    }

    /** Wraps a copy of a slice. */
    public static RawJson copyOf(byte[] source, int offset, int length) {
        return new RawJson(Arrays.copyOfRange(source, offset, offset + length));
    }

    public static RawJson of(String json) {
        return new RawJson(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes exactly as received; callers must not modify them. */
    public byte[] bytes() {
        return bytes;
    }

    /** The value re-encoded without insignificant whitespace; equal to {@link #bytes()} when already compact. */
    public byte[] compacted() {
        byte[] c = compacted;
        if (c == null) {
            c = JsonCodec.compact(bytes);
            compacted = c;
        }
        return c;
    }

    public int length() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawJson other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
