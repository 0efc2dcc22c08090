package dev.rotor.config;

/**
 * The config file exists but is not valid JSON, TOML or YAML. The message reads
 * {@code While parsing config: <parser error>} (configuration.md §2, §5.2). Immutable.
 */
public final class ConfigParseException extends ConfigException {
    private static final long serialVersionUID = 1L;

    public ConfigParseException(String parserError, Throwable cause) {
        super("While parsing config: " + parserError, cause);
    }
}
