package dev.rotor.protocol;

import com.fasterxml.jackson.core.JsonFactory;


/**
 * Low-level JSON helpers shared by the encoders and decoders: the shared Jackson {@link JsonFactory} used for
 * parsing, and compaction of raw values the way v1 re-emits them. Thread-safe.
 */
public final class JsonCodec {
    static final JsonFactory FACTORY = new JsonFactory();

    private JsonCodec() {
    }

    /** True when the bytes hold exactly one valid JSON value (surrounding whitespace allowed). */
    public static boolean isValid(byte[] json) {
        try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() == null) {
                return false;
            }
            p.skipChildren();
            return p.nextToken() == null;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The shared factory for parsers. */
    public static JsonFactory factory() {
        return FACTORY;
    }

    /**
     * Compacts one valid JSON value the way Go's {@code json.Marshal} re-emits a {@code RawMessage}: whitespace
     * outside strings is dropped and {@code < > &} (and U+2028/U+2029) inside strings are escaped; everything else,
     * including numbers and existing escapes, is kept byte for byte.
     */
    public static byte[] compact(byte[] json) {
        JsonWriter w = null;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            int b = json[i] & 0xFF;
            String replacement = null;
            boolean drop = false;
            if (inString) {
                if (b == '\\') {
                    if (w != null) {
                        w.raw(json, i, Math.min(2, json.length - i));
                    }
                    i++;
                    continue;
                } else if (b == '"') {
                    inString = false;
                } else if (b == '<') {
                    replacement = "\\u003c";
                } else if (b == '>') {
                    replacement = "\\u003e";
                } else if (b == '&') {
                    replacement = "\\u0026";
                } else if (b == 0xE2 && i + 2 < json.length && (json[i + 1] & 0xFF) == 0x80
                        && ((json[i + 2] & 0xFF) == 0xA8 || (json[i + 2] & 0xFF) == 0xA9)) {
                    replacement = (json[i + 2] & 0xFF) == 0xA8 ? "\\u2028" : "\\u2029";
                    if (w == null) {
                        w = new JsonWriter(json.length + 8);
                        w.raw(json, 0, i);
                    }
                    w.raw(replacement);
                    i += 2;
                    continue;
                }
            } else if (b == '"') {
                inString = true;
            } else if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
                drop = true;
            }
            if (drop || replacement != null) {
                if (w == null) {
                    w = new JsonWriter(json.length + 8);
                    w.raw(json, 0, i);
                }
                if (replacement != null) {
                    w.raw(replacement);
                }
            } else if (w != null) {
                w.raw((char) b);
            }
        }
        return w == null ? json : w.toByteArray();
    }

    static byte[] disconnectJson(Disconnect d) {
        JsonWriter w = new JsonWriter(48);
        w.raw('{').key("reason").string(d.reason()).raw(',').key("reconnect").bool(d.reconnect()).raw('}');
        return w.toByteArray();
    }

}
