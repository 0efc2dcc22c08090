package dev.rotor.cli;

import java.util.Locale;

/**
 * v1's log levels, least to most severe, with the letter each line starts with (configuration.md §5.4).
 * {@code CRITICAL} and {@code FATAL} are SLF4J errors carrying {@link LogMarkers#CRITICAL} or
 * {@link LogMarkers#FATAL}. Immutable.
 */
public enum LogLevel {
    TRACE('T'), DEBUG('D'), INFO('I'), WARN('W'), ERROR('E'), CRITICAL('C'), FATAL('F'),
    /** Threshold only: nothing is logged. */
    NONE(' ');

    private final char letter;

    LogLevel(char letter) {
        this.letter = letter;
    }

    public char letter() {
        return letter;
    }

    /** The level named {@code s}, case-insensitive; unknown or empty names mean {@link #INFO} (v1 compat, §3.6). */
    public static LogLevel parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return INFO;
        }
    }
}
