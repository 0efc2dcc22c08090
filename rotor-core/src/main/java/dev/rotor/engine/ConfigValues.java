package dev.rotor.engine;

/**
 * A read-only view of configuration values as the server resolved them (flag, then environment, then config file,
 * then the built-in default), by their v1 key, e.g. {@code redis_port}. It lets an engine module read its own keys
 * without depending on the server's config parser. Values are already converted to the key's declared type; an
 * engine converts and validates them further into its own typed config. Immutable and thread-safe.
 */
public interface ConfigValues {

    /**
     * The value of a string key.
     *
     * @throws java.util.NoSuchElementException when {@code key} is not an engine key the server knows
     * @throws IllegalStateException            when {@code key} is not a string key
     */
    String string(String key);

    /** The value of a boolean key; fails like {@link #string}. */
    boolean bool(String key);

    /** The value of an integer key; fails like {@link #string}. */
    int integer(String key);

    /** The value of a 64-bit integer key (byte counts); fails like {@link #string}. */
    long longValue(String key);
}
