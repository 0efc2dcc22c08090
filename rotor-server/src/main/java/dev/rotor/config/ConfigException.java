package dev.rotor.config;

/**
 * A configuration that cannot be read or is invalid; the message is ready to be shown to an operator as it is
 * (v1's texts where v1 has one, e.g. {@code config error: namespace name must be unique}). Immutable.
 */
public class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
