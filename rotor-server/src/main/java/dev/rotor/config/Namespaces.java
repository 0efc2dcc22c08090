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
 * mapstructure, but where v1 silently ignored a value of the wrong type (the option kept its zero value), Rotor
 * refuses it with the message a top-level key gets; option names are matched case-insensitively; unknown options
 * are ignored by the decoder and reported by {@link #unknownOptions}. Stateless.
 */
final class Namespaces {
    private static final Pattern NAME = Pattern.compile("[-a-zA-Z0-9_]{2,}");
    /** The keys of a namespace entry, as written in the file (matched case-insensitively). */
    static final List<String> OPTIONS = List.of("name", "watch", "publish", "anonymous", "presence", "join_leave",
            "history_size", "history_lifetime", "recover", "history_drop_inactive");

    private Namespaces() {
    }

    /** One decoded namespace entry, before validation. */
    record Entry(String name, ChannelOptions options) {}

    /** Decodes the raw {@code namespaces} value of a config file; null means no namespaces. */
    static List<Entry> decode(JsonNode raw) {
        List<Entry> entries = new ArrayList<>();
        for (JsonNode item : items(raw)) {
            entries.add(decodeEntry(item));
        }
        return entries;
    }

    /**
     * One message per option that no namespace knows, e.g. {@code unknown option "histroy_size" in namespace
     * "chat", did you mean "history_size"?}, in file order; none when {@code raw} does not decode (the error is
     * reported by {@link #decode}).
     */
    static List<String> unknownOptions(JsonNode raw) {
        List<JsonNode> items;
        try {
            items = items(raw);
        } catch (ConfigException notAList) {
            return List.of();
        }
        List<String> messages = new ArrayList<>();
        for (JsonNode item : items) {
            String name = "";
            for (Map.Entry<String, JsonNode> f : item.properties()) {
                if (f.getKey().equalsIgnoreCase("name") && f.getValue().isTextual()) {
                    name = f.getValue().textValue();
                }
            }
            String where = "namespace \"" + name + "\"";
            for (Map.Entry<String, JsonNode> f : item.properties()) {
                String key = f.getKey().toLowerCase(Locale.ROOT);
                if (!OPTIONS.contains(key)) {
                    messages.add(KeyHints.unknown("unknown option", key, where, OPTIONS));
                }
            }
        }
        return messages;
    }

    /** The namespace maps of the raw value, checked to be a list of maps. */
    private static List<JsonNode> items(JsonNode raw) {
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
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : list) {
            if (!item.isObject()) {
                throw new ConfigException("config error: namespaces: every namespace must be a map of options, got "
                        + item.getNodeType().toString().toLowerCase(Locale.ROOT));
            }
            items.add(item);
        }
        return items;
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
        JsonNode nameNode = fields.get("name");
        String name = nameNode != null && nameNode.isTextual() ? nameNode.textValue() : "";
        ChannelOptions options = ChannelOptions.builder()
                .watch(bool(name, "watch", fields))
                .publish(bool(name, "publish", fields))
                .anonymous(bool(name, "anonymous", fields))
                .presence(bool(name, "presence", fields))
                .joinLeave(bool(name, "join_leave", fields))
                .historySize(integer(name, "history_size", fields))
                .historyLifetime(integer(name, "history_lifetime", fields))
                .recover(bool(name, "recover", fields))
                .historyDropInactive(bool(name, "history_drop_inactive", fields))
                .build();
        return new Entry(name, options);
    }

    // Not v1: v1 (observed) silently ignored a value of the wrong type inside a namespace ("history_size": "10"
    // left the option at 0), so a typo turned history or presence off without a word. Rotor refuses it, as it
    // refuses a top-level value it cannot convert; null still counts as unset.
    private static boolean bool(String namespace, String key, Map<String, JsonNode> fields) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return false;
        }
        if (!n.isBoolean()) {
            throw wrongType(namespace, key, n, "a boolean");
        }
        return n.booleanValue();
    }

    private static int integer(String namespace, String key, Map<String, JsonNode> fields) {
        JsonNode n = fields.get(key);
        if (n == null || n.isNull()) {
            return 0;
        }
        if (!n.isNumber()) {
            throw wrongType(namespace, key, n, "an integer");
        }
        if (n.isIntegralNumber() && n.canConvertToInt()) {
            return n.intValue();
        }
        double d = n.doubleValue(); // floats are truncated, as mapstructure does
        if (n.isIntegralNumber() || Double.isNaN(d) || d < Integer.MIN_VALUE || d > Integer.MAX_VALUE) {
            throw new ConfigException("config error: " + key + ": value " + n + " is out of range (" + where(namespace)
                    + ")");
        }
        return (int) d;
    }

    private static ConfigException wrongType(String namespace, String key, JsonNode n, String expected) {
        String got = n.isContainerNode() ? n.getNodeType().toString().toLowerCase(Locale.ROOT) : n.toString();
        return new ConfigException("config error: " + key + ": expected " + expected + ", got " + got + " ("
                + where(namespace) + ")");
    }

    private static String where(String namespace) {
        return "in namespace \"" + namespace + "\" of the config file";
    }
}
