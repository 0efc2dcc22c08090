package dev.rotor.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.server.ByteCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The parsed contents of one config file: a flat map of lower-cased top-level keys to their raw values, plus the
 * raw {@code namespaces} value (configuration.md §1–2). Values keep the type the file gave them; typing happens when
 * they are read. Immutable.
 */
public final class ConfigFile {
    /** A file with no keys: what a missing config file amounts to. */
    public static final ConfigFile EMPTY = new ConfigFile(Map.of(), null);

    static final String NAMESPACES = "namespaces";
    /**
     * The largest config file read, whatever the heap: a real one is a few KiB, and it is read whole (then parsed
     * into a tree) before anything can be checked, so a wrong path to a huge file would otherwise end in an
     * OutOfMemoryError.
     */
    static final long MAX_SIZE = 16L * 1024 * 1024;
    /** The smallest of {@link #maxSize}, for a tiny heap. */
    static final long MIN_SIZE = 256L * 1024;

    private final Map<String, JsonNode> values;
    private final JsonNode namespaces;

    private ConfigFile(Map<String, JsonNode> values, JsonNode namespaces) {
        this.values = Collections.unmodifiableMap(values);
        this.namespaces = namespaces;
    }

    /**
     * Reads and parses a config file.
     *
     * @return empty when the file does not exist or its extension is not supported — v1 treats both the same way
     *         ({@code No config file found}, §2)
     * @throws ConfigParseException when the file exists but does not parse
     */
    public static Optional<ConfigFile> read(Path file) {
        return read(file, maxSize(Runtime.getRuntime().maxMemory()));
    }

    /**
     * The largest config file read with a maximum heap of {@code maxHeap} bytes: a 128th of it, between 256 KiB and
     * 16 MiB. A file of tiny values (hundreds of thousands of namespaces) parses into a tree many times its size, and
     * a reload parses it beside the running server, where an OutOfMemoryError ends the process instead of keeping
     * the old config.
     */
    static long maxSize(long maxHeap) {
        return Math.min(MAX_SIZE, Math.max(MIN_SIZE, maxHeap / 128));
    }

    static Optional<ConfigFile> read(Path file, long maxSize) {
        Optional<ConfigFormat> format = ConfigFormat.of(file);
        if (format.isEmpty() || !Files.isRegularFile(file)) {
            return Optional.empty();
        }
        String text;
        try {
            long size = Files.size(file);
            if (size > maxSize) {
                throw new ConfigException("Config file " + file + " is " + size + " bytes; the most Rotor reads is "
                        + ByteCounts.describe(maxSize) + ": a 128th of the maximum heap, at most 16 MiB");
            }
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new ConfigException("Unable to read config file " + file + ": " + e, e);
        }
        return Optional.of(parse(text, format.get()));
    }

    /** Parses config text in the given format. */
    public static ConfigFile parse(String text, ConfigFormat format) {
        JsonNode root;
        try {
            root = format.newMapper().readTree(text);
        } catch (JacksonException e) {
            throw new ConfigParseException(describe(e), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            if (format == ConfigFormat.JSON) {
                // Same as Go's encoding/json on an empty document.
                throw new ConfigParseException("unexpected end of JSON input", null);
            }
            return EMPTY; // an empty YAML or TOML document is a valid empty configuration
        }
        if (!root.isObject()) {
            throw new ConfigParseException("the top level must be a map of keys to values, got "
                    + root.getNodeType().toString().toLowerCase(Locale.ROOT), null);
        }
        Map<String, JsonNode> values = new LinkedHashMap<>();
        JsonNode namespaces = null;
        for (Map.Entry<String, JsonNode> e : root.properties()) {
            // Keys are case-insensitive (§1); when two spellings of a key appear, the later one wins.
            String key = e.getKey().toLowerCase(Locale.ROOT);
            if (key.equals(NAMESPACES)) {
                namespaces = e.getValue();
            } else {
                values.put(key, e.getValue());
            }
        }
        return new ConfigFile(values, namespaces);
    }

    /** The raw value of a top-level key, or null when the file does not set it (a JSON {@code null} counts as unset). */
    public JsonNode get(String key) {
        JsonNode v = values.get(key.toLowerCase(Locale.ROOT));
        return v == null || v.isNull() ? null : v;
    }

    /** Every top-level key the file sets (lower-cased), {@code namespaces} excluded. */
    public Map<String, JsonNode> values() {
        return values;
    }

    /** The raw {@code namespaces} value, or null when absent. */
    public JsonNode namespaces() {
        return namespaces;
    }

    private static String describe(JacksonException e) {
        StringBuilder sb = new StringBuilder(String.valueOf(e.getOriginalMessage()).replace('\n', ' '));
        JsonLocation loc = e.getLocation();
        if (loc != null && loc.getLineNr() > 0) {
            sb.append(" (line ").append(loc.getLineNr()).append(", column ").append(loc.getColumnNr()).append(')');
        }
        return sb.toString();
    }
}
