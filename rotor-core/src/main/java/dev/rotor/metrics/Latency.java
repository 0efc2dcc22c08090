package dev.rotor.metrics;

/** The two latencies v1 measures (http-api.md §4.10): one client protocol command, one HTTP API request. Immutable. */
public enum Latency {
    /** Handling one client frame (all the commands in it), from read to reply queued. */
    CLIENT_API,
    /** Handling one HTTP API request, from body received to reply written. */
    HTTP_API
}
