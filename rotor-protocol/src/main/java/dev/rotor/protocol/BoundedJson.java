package dev.rotor.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Jackson mappers for the JSON trees the SDKs read from a peer (a server's WebSocket messages, the API's answers, an
 * auth backend's signs), with Jackson's {@link StreamReadConstraints} set from the size bound the caller already
 * enforces on the text. A tree costs the heap a multiple of its text, and that multiple depends on the shape: about 9
 * bytes per character for a realistic history answer, 25 to 28 for a long array of tiny objects (measured with
 * Jackson 2.20 on JDK 17): the size bound is what bounds the tree. The constraints refuse what Rotor never sends; a
 * document past one fails the parse with a {@link StreamConstraintsException} (an {@link java.io.IOException}),
 * described by {@link #limitExceeded}.
 *
 * <p>The caller bounds the text to {@code n} characters (Jackson checks a document's length only as it reads a stream,
 * not in a string it is given). Within that: at most {@code n} characters in one string and in one name (a string is
 * never longer than its message, and Jackson's own bound of 20,000,000 would refuse a legitimate one in a larger
 * message); nesting at most {@link #MAX_DEPTH} deep; numbers at most 1000 characters long (Jackson's default, which
 * the Rotor server applies to what it accepts, and the bound that matters most: a long number costs more than linear
 * time to convert). No bound on tokens: published data is whatever JSON its publisher sent, forwarded as it is, and
 * shapes as common as a track of small points ({@code [[1,2],[3,4],…]}) hold a token per 1.5 characters; any bound
 * below one token per character refuses some document that fits the size bound.
 *
 * <p>Thread-safe; a mapper is meant to be kept and shared.
 */
public final class BoundedJson {
    /**
     * The deepest document Rotor sends. The server parses what it accepts with Jackson's default depth of 1000: a
     * client's connection or channel info (a JSON string, checked on its own) may be 1000 levels deep, and an answer
     * wraps it in at most six more (a history reply in an array frame: the array, the reply, its body, the messages,
     * the message, its {@code info}). Published data is at most 998 deep, inside its command.
     */
    public static final int MAX_DEPTH = StreamReadConstraints.DEFAULT_MAX_DEPTH + 6;

    private BoundedJson() {
    }

    /** The constraints for documents of at most {@code maxChars} characters (positive). */
    public static StreamReadConstraints constraints(int maxChars) {
        if (maxChars <= 0) {
            throw new IllegalArgumentException("maxChars must be positive, got " + maxChars);
        }
        return StreamReadConstraints.builder()
                .maxStringLength(maxChars)
                .maxNameLength(maxChars)
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(StreamReadConstraints.DEFAULT_MAX_NUM_LEN)
                .build();
    }

    /** A mapper whose parsers hold {@link #constraints(int)}; keep it, creating one is not cheap. */
    public static ObjectMapper mapper(int maxChars) {
        return new ObjectMapper(JsonFactory.builder().streamReadConstraints(constraints(maxChars)).build());
    }

    /**
     * What a parse refused by one of the constraints went past, in Jackson's words without the location, e.g.
     * {@code Number value length (1001) exceeds the maximum allowed (1000, from ...)}; null when {@code e} (and its
     * causes) is no such refusal.
     */
    public static String limitExceeded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamConstraintsException c) {
                return c.getOriginalMessage();
            }
        }
        return null;
    }
}
