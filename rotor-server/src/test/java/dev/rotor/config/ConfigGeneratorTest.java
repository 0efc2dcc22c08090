package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigGeneratorTest {
    private static final String UUID_V4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

    @TempDir
    Path dir;

    @Test
    void jsonIsWrittenExactlyLikeV1() throws IOException {
        Path file = dir.resolve("config.json");

        String secret = ConfigGenerator.generate(file);

        assertThat(secret).matches(UUID_V4);
        assertThat(Files.readString(file)).isEqualTo("{\n  \"secret\": \"" + secret + "\"\n}\n");
        assertThat(ConfigLoader.check(file).node().secret()).isEqualTo(secret);
    }

    @Test
    void yamlIsWrittenExactlyLikeV1() throws IOException {
        for (String name : new String[] {"config.yaml", "config.yml"}) {
            Path file = dir.resolve(name);

            String secret = ConfigGenerator.generate(file);

            assertThat(Files.readString(file)).isEqualTo("secret: " + secret + "\n");
            assertThat(ConfigLoader.check(file).node().secret()).isEqualTo(secret);
        }
    }

    @Test
    void tomlIsValidQuotedToml() throws IOException {
        Path file = dir.resolve("config.toml");

        String secret = ConfigGenerator.generate(file);

        assertThat(Files.readString(file)).isEqualTo("secret = \"" + secret + "\"\n");
        assertThat(ConfigLoader.check(file).node().secret()).isEqualTo(secret);
    }

    @Test
    void everyRunGeneratesANewSecret() {
        assertThat(ConfigGenerator.generate(dir.resolve("a.json"))).isNotEqualTo(
                ConfigGenerator.generate(dir.resolve("b.json")));
        assertThat(UUID.fromString(ConfigGenerator.generate(dir.resolve("c.json"))).version()).isEqualTo(4);
    }

    @Test
    void theFileIsReadableByAllAndWritableByTheOwner() throws IOException {
        Path file = dir.resolve("config.json");
        ConfigGenerator.generate(file);

        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-r--r--");
        }
        assertThat(Files.isReadable(file)).isTrue();
    }

    @Test
    void anExistingFileIsNeverOverwritten() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"keep\"}");

        assertThatThrownBy(() -> ConfigGenerator.generate(file))
                .isInstanceOf(ConfigException.class)
                .hasMessage("output config file already exists: " + file);
        assertThat(Files.readString(file)).isEqualTo("{\"secret\": \"keep\"}");
    }

    @Test
    void anUnsupportedExtensionIsRefused() {
        Path file = dir.resolve("config.ini");

        assertThatThrownBy(() -> ConfigGenerator.generate(file))
                .hasMessage("output config file must have one of supported extensions: json, toml, yaml, yml");
        assertThat(file).doesNotExist();
    }

    @Test
    void anUnwritablePlaceFailsWithoutLeavingAFile() {
        Path file = dir.resolve("no-such-dir").resolve("config.json");

        assertThatThrownBy(() -> ConfigGenerator.generate(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("Unable to write config file ");
        assertThat(file).doesNotExist();
    }
}
