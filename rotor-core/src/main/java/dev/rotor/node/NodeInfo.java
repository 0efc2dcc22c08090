package dev.rotor.node;

import dev.rotor.protocol.JsonWriter;
import java.util.Map;

/**
 * What a node announces about itself in its periodic ping and what {@code stats}/{@code node} report
 * (http-api.md §4.8–4.9). Immutable.
 *
 * @param metrics metric name → integer value, in a stable order
 */
public record NodeInfo(String uid, String version, String name, long startedAt, Map<String, Long> metrics) {

    /** {@code {"uid":..,"version":..,"name":..,"started_at":..,"metrics":{..}}}. */
    public void write(JsonWriter w) {
        w.raw('{').key("uid").string(uid).raw(',').key("version").string(version).raw(',').key("name")
                .string(name).raw(',').key("started_at").number(startedAt).raw(',').key("metrics").raw('{');
        boolean first = true;
        for (Map.Entry<String, Long> e : metrics.entrySet()) {
            if (!first) {
                w.raw(',');
            }
            first = false;
            w.string(e.getKey()).raw(':').number(e.getValue());
        }
        w.raw("}}");
    }
}
