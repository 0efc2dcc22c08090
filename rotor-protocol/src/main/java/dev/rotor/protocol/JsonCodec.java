package dev.rotor.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.SerializableString;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Low-level JSON helpers shared by the encoders and decoders: the shared {@link JsonFactory}, v1's HTML-safe string
 * escaping ({@code <}, {@code >}, {@code &} as {@code \u003c} etc., client-protocol.md §2.3), and compaction of raw
 * values. Thread-safe.
 */
public final class JsonCodec {
    /** v1 (Go encoding/json) escapes {@code < > &} and U+2028/U+2029 inside strings. */
    private static final CharacterEscapes GO_ESCAPES = new CharacterEscapes() {
        private static final long serialVersionUID = 1L;
        private final int[] table;

        {
            int[] t = CharacterEscapes.standardAsciiEscapesForJSON();
            t['<'] = CharacterEscapes.ESCAPE_CUSTOM;
            t['>'] = CharacterEscapes.ESCAPE_CUSTOM;
            t['&'] = CharacterEscapes.ESCAPE_CUSTOM;
            table = t;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return table;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return switch (ch) {
                case '<' -> new SerializedString("\\u003c");
                case '>' -> new SerializedString("\\u003e");
                case '&' -> new SerializedString("\\u0026");
                case 0x2028 -> new SerializedString("\\u2028");
                case 0x2029 -> new SerializedString("\\u2029");
                default -> null;
            };
        }
    };

    static final JsonFactory FACTORY = newFactory();

    private static JsonFactory newFactory() {
        JsonFactory f = new JsonFactory();
        f.setCharacterEscapes(GO_ESCAPES);
        return f;
    }

    private JsonCodec() {
    }

    /** The shared factory: generators it creates escape strings the way v1 does. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /** Creates a generator writing to {@code out} with v1 escaping. */
    public static JsonGenerator generator(ByteArrayOutputStream out) {
        try {
            return FACTORY.createGenerator(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Re-encodes one JSON value without insignificant whitespace; returns the input when it is not valid JSON. */
    public static byte[] compact(byte[] json) {
        if (isCompact(json)) {
            return json;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        try (JsonParser p = FACTORY.createParser(json); JsonGenerator g = FACTORY.createGenerator(out)) {
            if (p.nextToken() == null) {
                return json;
            }
            g.copyCurrentStructure(p);
            g.flush();
            return out.toByteArray();
        } catch (IOException e) {
            return json;
        }
    }

    /** True when the bytes have no whitespace outside strings and no characters v1 would escape differently. */
    private static boolean isCompact(byte[] json) {
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte b = json[i];
            if (inString) {
                if (b == '\\') {
                    // escapes other than the ones Jackson writes identically could differ; be conservative
                    return false;
                } else if (b == '"') {
                    inString = false;
                } else if (b == '<' || b == '>' || b == '&' || (b & 0x80) != 0) {
                    return false;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                return false;
            } else if ((b == 'e' || b == 'E' || b == '.') ) {
                // numbers are re-emitted as written by copyCurrentStructure, keep verbatim
                continue;
            }
        }
        return !inString;
    }

    static byte[] disconnectJson(Disconnect d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(48);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("reason", d.reason());
            g.writeBooleanField("reconnect", d.reconnect());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** True for the JSON token that starts a value which {@link JsonParser#skipChildren()} must skip. */
    static boolean isStructStart(JsonToken t) {
        return t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY;
    }
}
