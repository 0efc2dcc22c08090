package dev.rotor.config;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean" hints for misspelt configuration keys: the known key closest to a typo by edit distance
 * (Levenshtein with adjacent transpositions, so {@code prescence} and {@code presnece} both find {@code presence}).
 * Stateless.
 */
final class KeyHints {
    private KeyHints() {
    }

    /**
     * The message for an unknown key: {@code unknown <what> "<key>" in <where>}, plus {@code , did you mean
     * "<known>"?} when a known key is close enough.
     */
    static String unknown(String what, String key, String where, Collection<String> known) {
        String message = what + " \"" + key + "\" in " + where;
        return closest(key, known).map(k -> message + ", did you mean \"" + k + "\"?").orElse(message);
    }

    /**
     * The known key nearest to {@code key}, if any is within a typo's reach: one edit for keys up to 4 characters,
     * two up to 8, three beyond. Ties go to the first in {@code known}'s order.
     */
    static Optional<String> closest(String key, Collection<String> known) {
        int reach = key.length() <= 4 ? 1 : key.length() <= 8 ? 2 : 3;
        String best = null;
        int bestDistance = reach + 1;
        for (String candidate : known) {
            if (Math.abs(candidate.length() - key.length()) > reach) {
                continue; // also bounds the work a very long key costs
            }
            int d = distance(key, candidate);
            if (d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps cost one each. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
