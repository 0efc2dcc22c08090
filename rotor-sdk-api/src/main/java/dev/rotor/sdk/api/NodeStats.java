package dev.rotor.sdk.api;

import java.util.Map;

/**
 * One node in a {@code stats} reply (http-api.md §4.8). Immutable.
 *
 * @param metrics metric name → integer value of the node's last completed metrics interval
 */
public record NodeStats(String uid, String version, String name, long startedAt, Map<String, Long> metrics) {
}
