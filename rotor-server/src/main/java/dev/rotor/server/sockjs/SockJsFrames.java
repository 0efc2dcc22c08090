package dev.rotor.server.sockjs;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rotor.protocol.JsonCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * SockJS 0.3.3 framing: the frames the server sends ({@code o}, {@code h}, {@code a[...]}, {@code c[code,"reason"]})
 * and the JSON arrays of strings clients send. Stateless.
 */
final class SockJsFrames {
    static final String OPEN = "o";
    static final String HEARTBEAT = "h";
    static final String ANOTHER_CONNECTION = close(2010, "Another connection still open");
    static final String INTERRUPTED = close(1002, "Connection interrupted");
    static final String BROKEN_FRAMING = close(1002, "Broken framing.");

    private SockJsFrames() {
    }

    /** Thrown for a client payload that is not a JSON array of strings (SockJS answers "Broken JSON encoding."). */
    static class BrokenJsonException extends Exception {
        BrokenJsonException(String message) {
            super(message, null, false, false);
        }
    }

    /** A payload of more than {@link #MAX_MESSAGES} messages. */
    static final class TooManyMessagesException extends BrokenJsonException {
        TooManyMessagesException() {
            super("more than " + MAX_MESSAGES + " messages");
        }
    }

    /**
     * The most messages one client payload may carry. Each decoded message costs a string and a list slot, ~52 bytes
     * for a one-character message: a body of {@code ["a","a",…]} just under {@code http_max_body_size} (a sixteenth of
     * the heap) decoded to some thirteen times its size, enough for one request to end the process, before any
     * session was looked up (docs/security.md, "Size limits"). sockjs-client sends the messages queued while its previous send was
     * in flight, and a v1 client one command frame per message, so a legitimate payload carries a handful.
     */
    static final int MAX_MESSAGES = 10_000;

    /** One {@code a[...]} frame carrying every protocol frame given (UTF-8 JSON documents), in order. */
    static String messages(List<byte[]> frames) {
        int size = 2;
        for (byte[] f : frames) {
            size += f.length + 3;
        }
        StringBuilder sb = new StringBuilder(size + size / 8);
        sb.append("a[");
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            quote(sb, new String(frames.get(i), StandardCharsets.UTF_8));
        }
        return sb.append(']').toString();
    }

    /** {@code c[code,"reason"]}. */
    static String close(int code, String reason) {
        StringBuilder sb = new StringBuilder(reason.length() + 16).append("c[").append(code).append(',');
        quote(sb, reason);
        return sb.append(']').toString();
    }

    /** A JSON string literal with SockJS's escaping (used for frames inside jsonp and htmlfile too). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        quote(sb, s);
        return sb.toString();
    }

    /**
     * Appends {@code s} as a JSON string. Besides {@code "} and {@code \}, SockJS 0.3.3 requires the server to
     * escape the characters browsers mangle on some transports: control characters, U+200C–U+200F,
     * U+2028–U+202F, U+2060–U+206F and U+FFF0–U+FFFF; surrogates are escaped too, and {@code < > &} as Go's
     * encoding/json (v1's SockJS library) does, so no frame can close an htmlfile {@code <script>}.
     */
    static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (mustEscape(c)) {
                        sb.append("\\u");
                        String hex = Integer.toHexString(c);
                        for (int pad = hex.length(); pad < 4; pad++) {
                            sb.append('0');
                        }
                        sb.append(hex);
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    static boolean mustEscape(char c) {
        return c < 0x20
                // v1's SockJS library (Go's encoding/json) also escapes these; it keeps "</script>" out of htmlfile
                || c == '<' || c == '>' || c == '&'
                || (c >= 0x200c && c <= 0x200f)
                || (c >= 0x2028 && c <= 0x202f)
                || (c >= 0x2060 && c <= 0x206f)
                || (c >= 0xd800 && c <= 0xdfff)
                || c >= 0xfff0;
    }

    /**
     * Decodes a client payload: a JSON array of strings or, when {@code allowSingle} (the websocket transport),
     * also a single JSON string. Every element must be a string, and there may be at most {@link #MAX_MESSAGES}.
     */
    static List<String> decode(byte[] payload, boolean allowSingle) throws BrokenJsonException {
        try (JsonParser p = JsonCodec.factory().createParser(payload)) {
            JsonToken t = p.nextToken();
            List<String> messages = new ArrayList<>();
            if (allowSingle && t == JsonToken.VALUE_STRING) {
                messages.add(p.getText());
            } else if (t == JsonToken.START_ARRAY) {
                while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
                    if (messages.size() == MAX_MESSAGES) {
                        throw new TooManyMessagesException();
                    }
                    messages.add(p.getText());
                }
                if (t != JsonToken.END_ARRAY) {
                    throw new BrokenJsonException("array element is not a string");
                }
            } else {
                throw new BrokenJsonException("not a JSON array of strings");
            }
            if (p.nextToken() != null) {
                throw new BrokenJsonException("trailing data");
            }
            return messages;
        } catch (IOException e) {
            throw new BrokenJsonException(String.valueOf(e.getMessage()));
        }
    }
}
