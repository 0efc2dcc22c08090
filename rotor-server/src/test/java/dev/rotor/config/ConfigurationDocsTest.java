package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The configuration reference documents every key Rotor reads. */
class ConfigurationDocsTest {

    @Test
    void everyKeyIsDocumented() throws IOException {
        // Surefire runs in the module directory; the reference lives at the repository root.
        String docs = Files.readString(Path.of("..", "docs", "configuration.md"));

        assertThat(Arrays.stream(ConfigKey.values()).map(k -> "`" + k.key() + "`"))
                .allSatisfy(k -> assertThat(docs).contains(k));
        assertThat(docs).contains("`namespaces`");
    }
}
