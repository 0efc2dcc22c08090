package dev.rotor.protocol;

/**
 * The {@code advice} that goes with an error in a reply (client-protocol.md §2.3, http-api.md §3.2): {@code "fix"}
 * for a client or developer mistake, {@code "retry"} for an error that may pass later, none otherwise. The field
 * is omitted from the JSON when there is no advice.
 */
public enum Advice {
    NONE(""),
    FIX("fix"),
    RETRY("retry");

    private final String text;

    Advice(String text) {
        this.text = text;
    }

    /** The value written in the {@code advice} field; empty for {@link #NONE}. */
    public String text() {
        return text;
    }
}
