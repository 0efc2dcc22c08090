package dev.rotor.engine;

/**
 * One engine the server can run, selected by the {@code engine} key ({@code memory}, {@code redis}): its name, its
 * own typed configuration read from the resolved {@link ConfigValues}, and how to create it. The server keeps a table
 * of providers by {@link #name()}, so an engine module brings its config type with it. Implementations are
 * stateless and thread-safe.
 *
 * @param <C> the engine's immutable, validated configuration
 */
public interface EngineProvider<C> {

    /** The value of the {@code engine} key that selects this engine, e.g. {@code redis}. */
    String name();

    /**
     * Reads and validates this engine's keys. This is the one place where they become the typed config.
     *
     * @throws IllegalArgumentException with the text to show the operator (v1's, where v1 has one); the server
     *                                  prefixes it with {@code Error creating engine: }
     */
    C config(ConfigValues values);

    /** Creates (but does not start) the engine. Fails like {@link #config} for a config the engine rejects. */
    Engine create(C config);

    /** {@link #config} then {@link #create}. */
    default Engine create(ConfigValues values) {
        return create(config(values));
    }
}
