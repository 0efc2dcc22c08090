package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * Fuzzes the config file parsers (JSON, TOML, YAML through {@link ConfigFile#parse}) and the validation that turns
 * a parsed file into a {@link RotorConfig}: text either loads or fails with a {@link ConfigException} whose message
 * is ready for the operator, never with another exception. Regression inputs live in
 * {@code ConfigFuzzTestInputs/<format>/}; fuzzing runs through {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class ConfigFuzzTest {
    private final ConfigLoader loader = new ConfigLoader(Path.of("fuzz"), Map.of(), Map.of(), () -> "fuzz");

    @FuzzTest
    void json(byte[] text) {
        load(text, ConfigFormat.JSON);
    }

    @FuzzTest
    void toml(byte[] text) {
        load(text, ConfigFormat.TOML);
    }

    @FuzzTest
    void yaml(byte[] text) {
        load(text, ConfigFormat.YAML);
    }

    private void load(byte[] bytes, ConfigFormat format) {
        // ConfigFile.read decodes the file as UTF-8 and fails on malformed bytes before any parser sees them
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            RotorConfig config = loader.build(new ConfigSources(Map.of(), Map.of(), ConfigFile.parse(text, format)));
            assertThat(config.node()).isNotNull();
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
        }
    }
}
