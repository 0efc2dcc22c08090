package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamespaceValidationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"a", "", "with space", "dollar$", "colon:ns", "ünï"})
    void wrongNamesAreRejectedWithV1sMessageAndEnDash(String name) throws IOException {
        Path file = write("{\"namespaces\": [{\"name\": \"" + name + "\"}]}");

        assertThatThrownBy(() -> ConfigLoader.check(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config error: wrong namespace name \u2013 " + name);
    }

    @Test
    void aMissingOrNonStringNameIsAnEmptyWrongName() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.check(write("{\"namespaces\": [{\"publish\": true}]}")))
                .hasMessage("config error: wrong namespace name \u2013 ");
        assertThatThrownBy(() -> ConfigLoader.check(write("{\"namespaces\": [{\"name\": 42}]}")))
                .hasMessage("config error: wrong namespace name \u2013 ");
    }

    @Test
    void namesMustBeUnique() throws IOException {
        Path file = write("{\"namespaces\": [{\"name\": \"ns\"}, {\"name\": \"other\"}, {\"name\": \"ns\"}]}");

        assertThatThrownBy(() -> ConfigLoader.check(file)).hasMessage("config error: namespace name must be unique");
    }

    @Test
    void theFirstProblemInOrderIsReported() throws IOException {
        Path file = write("{\"namespaces\": [{\"name\": \"ns\"}, {\"name\": \"ns\"}, {\"name\": \"x\"}]}");

        assertThatThrownBy(() -> ConfigLoader.check(file)).hasMessage("config error: namespace name must be unique");
    }

    @Test
    void validNamesKeepConfigurationOrder() throws IOException {
        Path file = write("{\"namespaces\": [{\"name\": \"zz\"}, {\"name\": \"a-b_C9\"}, {\"name\": \"--\"}]}");

        assertThat(ConfigLoader.check(file).node().namespaces().keySet()).containsExactly("zz", "a-b_C9", "--");
    }

    @Test
    void startupValidatesNamespacesToo() throws IOException {
        Path file = write("{\"namespaces\": [{\"name\": \"x\"}]}");

        assertThatThrownBy(() -> new ConfigLoader(file, Map.of(), Map.of()).load())
                .hasMessage("config error: wrong namespace name \u2013 x");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }
}
