package dev.rotor.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The layered key space of configuration.md §1: an explicitly given flag beats a bound environment variable, which
 * beats the config file, which beats the built-in default. Reads are lenient like v1's ({@code "7"} → 7,
 * {@code "true"}/{@code "1"} → true, {@code 7.9} → 7) but, unlike v1, a value that cannot be converted is an error
 * naming the key and where the value came from. Immutable.
 */
final class ConfigSources {
    private final Map<String, JsonNode> flags;
    private final Map<String, String> env;
    private final ConfigFile file;

    /**
     * @param flags explicitly given flags only, by key; values are {@code String}, {@code Boolean} or numbers
     * @param env   the process environment (only keys bound in §4 are looked at)
     */
    ConfigSources(Map<String, ?> flags, Map<String, String> env, ConfigFile file) {
        Map<String, JsonNode> f = new LinkedHashMap<>();
        flags.forEach((k, v) -> f.put(k.toLowerCase(Locale.ROOT), toNode(k, v)));
        this.flags = Map.copyOf(f);
        this.env = Map.copyOf(env);
        this.file = Objects.requireNonNull(file, "file");
    }

    ConfigFile file() {
        return file;
    }

    String string(ConfigKey key) {
        Found v = lookup(key);
        if (v == null) {
            return (String) key.defaultValue();
        }
        JsonNode n = v.node;
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        if (n.isNumber()) {
            // Like Go's strconv.FormatFloat(f, 'f', -1, 64): 8000.0 → "8000", 1.5 → "1.5", and +Inf, -Inf, NaN for
            // what TOML and YAML spell inf and .nan, which BigDecimal cannot hold.
            double d = n.doubleValue();
            if (!Double.isFinite(d)) {
                return Double.isNaN(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf";
            }
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        if (n.isBoolean()) {
            return Boolean.toString(n.booleanValue());
        }
        if (n.isArray() && key == ConfigKey.REDIS_CLUSTER_ADDRS) {
            // Beyond v1: a list of addresses may also be written as an array of strings; it reads as the comma list.
            List<String> items = new ArrayList<>();
            for (JsonNode item : n) {
                if (!item.isTextual()) {
                    throw wrongType(key, v, "a string or an array of strings");
                }
                items.add(item.textValue());
            }
            return String.join(",", items);
        }
        throw wrongType(key, v, "a string");
    }

    boolean bool(ConfigKey key) {
        Found v = lookup(key);
        if (v == null) {
            return (Boolean) key.defaultValue();
        }
        JsonNode n = v.node;
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().signum() != 0;
        }
        if (n.isTextual()) {
            // The spellings Go's strconv.ParseBool accepts; an empty string reads as false like in v1.
            switch (n.textValue()) {
                case "1": case "t": case "T": case "true": case "TRUE": case "True":
                    return true;
                case "0": case "f": case "F": case "false": case "FALSE": case "False": case "":
                    return false;
                default:
                    break;
            }
        }
        throw wrongType(key, v, "a boolean");
    }

    int integer(ConfigKey key) {
        long l = longValue(key);
        if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
            throw new ConfigException("config error: " + key.key() + ": value " + l + " is out of range ("
                    + lookup(key).source + ")");
        }
        return (int) l;
    }

    long longValue(ConfigKey key) {
        Found v = lookup(key);
        if (v == null) {
            return ((Number) key.defaultValue()).longValue();
        }
        JsonNode n = v.node;
        if (n.isIntegralNumber()) {
            if (!n.canConvertToLong()) {
                throw new ConfigException("config error: " + key.key() + ": value " + n + " is out of range ("
                        + v.source + ")");
            }
            return n.longValue();
        }
        if (n.isNumber()) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || d < Long.MIN_VALUE || d > Long.MAX_VALUE) {
                throw new ConfigException("config error: " + key.key() + ": value " + n + " is out of range ("
                        + v.source + ")");
            }
            return (long) d; // v1 compat: floats are truncated, 7.9 → 7
        }
        if (n.isBoolean()) {
            return n.booleanValue() ? 1 : 0;
        }
        if (n.isTextual()) {
            String s = n.textValue().trim();
            if (s.isEmpty()) {
                return 0; // v1 compat: an empty string reads as 0
            }
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // fall through to the error below
            }
        }
        throw wrongType(key, v, "an integer");
    }

    /** Where a key's value comes from, or null when only the default applies. */
    private Found lookup(ConfigKey key) {
        JsonNode f = flags.get(key.key());
        if (f != null) {
            return new Found(f, "from flag --" + key.key());
        }
        if (key.envBound()) {
            String e = env.get(key.envName());
            if (e != null && !e.isEmpty()) { // §4: empty env values count as unset
                return new Found(TextNode.valueOf(e), "from environment variable " + key.envName());
            }
        }
        JsonNode n = file.get(key.key());
        return n == null ? null : new Found(n, "from config file");
    }

    private static ConfigException wrongType(ConfigKey key, Found v, String expected) {
        String got = v.node.isContainerNode() ? v.node.getNodeType().toString().toLowerCase(Locale.ROOT) : v.node.toString();
        return new ConfigException("config error: " + key.key() + ": expected " + expected + ", got " + got
                + " (" + v.source + ")");
    }

    private static JsonNode toNode(String key, Object v) {
        if (v instanceof String s) {
            return TextNode.valueOf(s);
        }
        if (v instanceof Boolean b) {
            return BooleanNode.valueOf(b);
        }
        if (v instanceof Integer i) {
            return IntNode.valueOf(i);
        }
        if (v instanceof Long l) {
            return LongNode.valueOf(l);
        }
        throw new IllegalArgumentException("flag " + key + ": unsupported value type " + v);
    }

    private record Found(JsonNode node, String source) {}
}
