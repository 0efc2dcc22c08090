package dev.rotor.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal growable UTF-8 JSON writer producing exactly what v1 (Go {@code encoding/json}) produces for strings:
 * {@code \"}, {@code \\}, {@code \n}, {@code \r}, {@code \t}, other control characters as {@code \\u00XX}, and the
 * HTML-safe escapes {@code \\u003c \\u003e \\u0026 \\u2028 \\u2029}. Not thread-safe; one writer per encoding.
 *
 * <p>The writer does not track structure: callers write commas and brackets themselves, which keeps the hot path
 * (encoding a publication once per channel) free of bookkeeping.
 */
public final class JsonWriter {
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private byte[] buf;
    private int len;

    public JsonWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public JsonWriter() {
        this(128);
    }

    private void ensure(int extra) {
        int need = len + extra;
        if (need > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
        }
    }

    public JsonWriter raw(char c) {
        ensure(1);
        buf[len++] = (byte) c;
        return this;
    }

    /** Appends ASCII text verbatim (keys, punctuation, literals). */
    public JsonWriter raw(String ascii) {
        int n = ascii.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) ascii.charAt(i);
        }
        return this;
    }

    /** Appends bytes verbatim (a raw JSON value). */
    public JsonWriter raw(byte[] bytes) {
        return raw(bytes, 0, bytes.length);
    }

    public JsonWriter raw(byte[] bytes, int off, int n) {
        ensure(n);
        System.arraycopy(bytes, off, buf, len, n);
        len += n;
        return this;
    }

    /** Writes {@code "name":} for an ASCII key that needs no escaping. */
    public JsonWriter key(String name) {
        ensure(name.length() + 3);
        buf[len++] = '"';
        raw(name);
        buf[len++] = '"';
        buf[len++] = ':';
        return this;
    }

    public JsonWriter bool(boolean v) {
        return raw(v ? "true" : "false");
    }

    public JsonWriter number(long v) {
        return raw(Long.toString(v));
    }

    public JsonWriter nullValue() {
        return raw("null");
    }

    /** Writes a quoted, escaped string; null writes {@code null}. */
    public JsonWriter string(String s) {
        if (s == null) {
            return nullValue();
        }
        int n = s.length();
        ensure(n + 2);
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&') {
                    ensure(1);
                    buf[len++] = (byte) c;
                } else {
                    escapeAscii(c);
                }
            } else if (c < 0x800) {
                ensure(2);
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (c == 0x2028 || c == 0x2029) {
                raw(c == 0x2028 ? "\\u2028" : "\\u2029");
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4);
                buf[len++] = (byte) (0xF0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                // v1 compat: Go replaces invalid UTF-16/UTF-8 with U+FFFD
                raw("\\ufffd");
            } else {
                ensure(3);
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        ensure(1);
        buf[len++] = '"';
        return this;
    }

    private void escapeAscii(char c) {
        ensure(6);
        buf[len++] = '\\';
        switch (c) {
            case '"' -> buf[len++] = '"';
            case '\\' -> buf[len++] = '\\';
            case '\n' -> buf[len++] = 'n';
            case '\r' -> buf[len++] = 'r';
            case '\t' -> buf[len++] = 't';
            default -> {
                buf[len++] = 'u';
                buf[len++] = '0';
                buf[len++] = '0';
                buf[len++] = HEX[(c >> 4) & 0xF];
                buf[len++] = HEX[c & 0xF];
            }
        }
    }

    /** Writes a JSON array, each element by {@code element}. */
    public <T> JsonWriter array(java.util.List<T> items, java.util.function.BiConsumer<JsonWriter, T> element) {
        raw('[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                raw(',');
            }
            element.accept(this, items.get(i));
        }
        return raw(']');
    }

    public int length() {
        return len;
    }

    /** Drops everything written after {@code length}. */
    public void truncate(int length) {
        len = length;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, len);
    }

    @Override
    public String toString() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }
}
