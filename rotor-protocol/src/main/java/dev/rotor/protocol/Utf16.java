package dev.rotor.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Well-formedness of Java strings as Unicode text: every surrogate is half of a high-low pair. Strings that become
 * channel names, user and client ids, or anything else used as a key or echoed must be well-formed, because their
 * UTF-8 encoding is then lossless and distinct strings stay distinct; an ill-formed one (a lone surrogate, which a
 * JSON {@code \ud800} escape produces) would be encoded with a substitute character and alias another name.
 * Thread-safe (stateless).
 */
public final class Utf16 {
    private Utf16() {
    }

    /** True when every surrogate in {@code s} is part of a high-low pair. */
    public static boolean isWellFormed(CharSequence s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 == n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            }
        }
        return true;
    }

    /**
     * The UTF-8 bytes of a well-formed string; never substitutes.
     *
     * @throws IllegalArgumentException when {@code s} is not well-formed
     */
    public static byte[] utf8(String s) {
        if (!isWellFormed(s)) {
            throw new IllegalArgumentException("not well-formed UTF-16 text");
        }
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
