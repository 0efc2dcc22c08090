package dev.rotor.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The config file formats, chosen by file extension like v1 (configuration.md §2): {@code .json}, {@code .toml},
 * {@code .yaml}/{@code .yml}. Each knows its Jackson mapper and the genconfig template. Immutable.
 */
public enum ConfigFormat {
    JSON {
        @Override
        ObjectMapper newMapper() { return JsonMapper.builder().build(); }

        @Override
        public String template(String secret) {
            return "{\n  \"secret\": \"" + secret + "\"\n}\n";
        }
    },
    TOML {
        @Override
        ObjectMapper newMapper() { return TomlMapper.builder().build(); }

        @Override
        public String template(String secret) {
            // v1 compat: v1.8.0 writes `secret = <uuid>` without quotes, which is invalid TOML, so its own
            // validation fails and genconfig exits 1 (configuration.md §5.3). We write valid, quoted TOML.
            return "secret = \"" + secret + "\"\n";
        }
    },
    YAML {
        @Override
        ObjectMapper newMapper() { return YAMLMapper.builder().build(); }

        @Override
        public String template(String secret) {
            // A UUID always contains dashes, so YAML reads it as a plain string without quotes (as v1 writes it).
            return "secret: " + secret + "\n";
        }
    };

    /** The message genconfig prints for any other extension (§5.3). */
    public static final String SUPPORTED_EXTENSIONS_MESSAGE =
            "output config file must have one of supported extensions: json, toml, yaml, yml";

    abstract ObjectMapper newMapper();

    /** A minimal configuration holding only {@code secret}, as {@code genconfig} writes it (§5.3). */
    public abstract String template(String secret);

    /** The format for a path's extension (case-insensitive), or empty when the extension is not supported. */
    public static Optional<ConfigFormat> of(Path file) {
        Path name = file.getFileName();
        if (name == null) {
            return Optional.empty();
        }
        String s = name.toString();
        int dot = s.lastIndexOf('.');
        if (dot < 0) {
            return Optional.empty();
        }
        switch (s.substring(dot + 1).toLowerCase(Locale.ROOT)) {
            case "json": return Optional.of(JSON);
            case "toml": return Optional.of(TOML);
            case "yaml":
            case "yml": return Optional.of(YAML);
            default: return Optional.empty();
        }
    }
}
