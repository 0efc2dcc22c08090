package dev.rotor.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.rotor.channel.ChannelOptions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Decodes and validates the {@code namespaces} list (configuration.md §3.4). Decoding is strict like v1's
 * mapstructure: a value of the wrong type is silently ignored and the option keeps its zero value; option names are
 * matched case-insensitively; unknown options are ignored. Stateless.
 */
final class Namespaces {
    private static final Pattern NAME = Pattern.compile("[-a-zA-Z0-9_]{2,}");

    private Namespaces() {
    }

    /** One decoded namespace entry, before validation. */
    record Entry(String name, ChannelOptions options) {}

    /** Decodes the raw {@code namespaces} value of a config file; null means no namespaces. */
    static List<Entry> decode(JsonNode raw) {
        if (raw == null || raw.isNull()) {
            return List.of();
        }
        JsonNode list = raw;
        if (raw.isTextual()) {
            // v1 compat: a string value is decoded as a JSON array of namespaces.
            if (raw.textValue().isBlank()) {
                return List.of();
            }
            try {
                list = JsonMapper.builder().build().readTree(raw.textValue());
            } catch (JacksonException e) {
                throw new ConfigException("config error: namespaces: the string is not a JSON array: "
                        + e.getOriginalMessage());
            }
        }
        if (!list.isArray()) {
            throw new ConfigException("config error: namespaces: expected a list of namespaces, got "
                    + list.getNodeType().toString().toLowerCase(Locale.ROOT));
        }
        List<Entry> entries = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isObject()) {
                throw new ConfigException("config error: namespaces: every namespace must be a map of options, got "
                        + item.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
            entries.add(decodeEntry(item));
        }
        return entries;
    }

    /**
     * Validates names (pattern, uniqueness) in order, with v1's exact messages (note the en dash), and returns the
     * namespaces by name in configuration order.
     */
    static Map<String, ChannelOptions> validate(List<Entry> entries) {
        Map<String, ChannelOptions> byName = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (Entry e : entries) {
            if (!NAME.matcher(e.name()).matches()) {
                throw new ConfigException("config error: wrong namespace name \u2013 " + e.name());
            }
            if (!seen.add(e.name())) {
                throw new ConfigException("config error: namespace name must be unique");
            }
            byName.put(e.name(), e.options());
        }
        return byName;
    }

    private static Entry decodeEntry(JsonNode item) {
        Map<String, JsonNode> fields = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> f : item.properties()) {
            fields.put(f.getKey().toLowerCase(Locale.ROOT), f.getValue());
        }
        JsonNode name = fields.get("name");
        ChannelOptions options = ChannelOptions.builder()
                .watch(bool(fields.get("watch")))
                .publish(bool(fields.get("publish")))
                .anonymous(bool(fields.get("anonymous")))
                .presence(bool(fields.get("presence")))
                .joinLeave(bool(fields.get("join_leave")))
                .historySize(integer(fields.get("history_size")))
                .historyLifetime(integer(fields.get("history_lifetime")))
                .recover(bool(fields.get("recover")))
                .historyDropInactive(bool(fields.get("history_drop_inactive")))
                .build();
        return new Entry(name != null && name.isTextual() ? name.textValue() : "", options);
    }

    private static boolean bool(JsonNode n) {
        return n != null && n.isBoolean() && n.booleanValue();
    }

    private static int integer(JsonNode n) {
        if (n == null || !n.isNumber()) {
            return 0; // v1 compat: "history_size": "10" is ignored inside a namespace (observed)
        }
        if (n.isIntegralNumber()) {
            return n.canConvertToInt() ? n.intValue() : 0;
        }
        double d = n.doubleValue(); // floats are truncated, as mapstructure does
        return d >= Integer.MIN_VALUE && d <= Integer.MAX_VALUE ? (int) d : 0;
    }
}
