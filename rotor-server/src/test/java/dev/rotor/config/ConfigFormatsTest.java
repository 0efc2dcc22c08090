package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.channel.ChannelOptions;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFormatsTest {
    private static final String JSON = """
            {
              "secret": "s3cr3t",
              "port": "8001",
              "client_channel_limit": 64,
              "client_queue_max_size": 20971520,
              "insecure_api": true,
              "private_channel_prefix": "!",
              "redis_pool": 16,
              "presence": true,
              "history_size": 10,
              "history_lifetime": 30,
              "namespaces": [
                {"name": "public", "publish": true, "anonymous": true, "join_leave": true},
                {"name": "chat", "history_size": 5, "history_lifetime": 60, "recover": true}
              ]
            }
            """;
    private static final String TOML = """
            secret = "s3cr3t"
            port = "8001"
            client_channel_limit = 64
            client_queue_max_size = 20971520
            insecure_api = true
            private_channel_prefix = "!"
            redis_pool = 16
            presence = true
            history_size = 10
            history_lifetime = 30

            [[namespaces]]
            name = "public"
            publish = true
            anonymous = true
            join_leave = true

            [[namespaces]]
            name = "chat"
            history_size = 5
            history_lifetime = 60
            recover = true
            """;
    private static final String YAML = """
            secret: s3cr3t
            port: "8001"
            client_channel_limit: 64
            client_queue_max_size: 20971520
            insecure_api: true
            private_channel_prefix: "!"
            redis_pool: 16
            presence: true
            history_size: 10
            history_lifetime: 30
            namespaces:
              - name: public
                publish: true
                anonymous: true
                join_leave: true
              - name: chat
                history_size: 5
                history_lifetime: 60
                recover: true
            """;

    @TempDir
    Path dir;

    @Test
    void theSameConfigInJsonTomlAndYamlGivesEqualConfigs() throws IOException {
        RotorConfig json = load(write("config.json", JSON));
        RotorConfig toml = load(write("config.toml", TOML));
        RotorConfig yaml = load(write("config.yaml", YAML));
        RotorConfig yml = load(write("config.yml", YAML));

        assertThat(toml).usingRecursiveComparison().isEqualTo(json);
        assertThat(yaml).usingRecursiveComparison().isEqualTo(json);
        assertThat(yml).usingRecursiveComparison().isEqualTo(json);

        assertThat(json.node().secret()).isEqualTo("s3cr3t");
        assertThat(json.server().port()).isEqualTo("8001");
        assertThat(json.node().clientChannelLimit()).isEqualTo(64);
        assertThat(json.node().clientQueueMaxSize()).isEqualTo(20971520L);
        assertThat(json.node().insecureApi()).isTrue();
        assertThat(json.node().naming().privatePrefix()).isEqualTo("!");
        assertThat(json.engineValues().integer("redis_pool")).isEqualTo(16);
        assertThat(json.node().topLevel()).isEqualTo(ChannelOptions.builder().presence(true).historySize(10)
                .historyLifetime(30).build());
        assertThat(json.node().namespaces()).containsOnlyKeys("public", "chat");
        assertThat(json.node().namespaces().get("public")).isEqualTo(ChannelOptions.builder().publish(true)
                .anonymous(true).joinLeave(true).build());
        assertThat(json.node().namespaces().get("chat")).isEqualTo(ChannelOptions.builder().historySize(5)
                .historyLifetime(60).recover(true).build());
    }

    @Test
    void keysAreCaseInsensitive() throws IOException {
        RotorConfig c = load(write("config.json", "{\"SECRET\": \"x\", \"Client_Channel_Limit\": 3, "
                + "\"NameSpaces\": [{\"NAME\": \"abc\", \"Publish\": true}]}"));

        assertThat(c.node().secret()).isEqualTo("x");
        assertThat(c.node().clientChannelLimit()).isEqualTo(3);
        assertThat(c.node().namespaces().get("abc").publish()).isTrue();
    }

    @Test
    void missingFileOrUnsupportedExtensionMeansNoFileAndDefaults() throws IOException {
        ConfigLoader.Loaded missing = new ConfigLoader(dir.resolve("absent.json"), Map.of(), Map.of(), () -> "h").load();
        ConfigLoader.Loaded ini = new ConfigLoader(write("config.ini", "secret = x"), Map.of(), Map.of(), () -> "h").load();

        assertThat(missing.fileFound()).isFalse();
        assertThat(ini.fileFound()).isFalse();
        assertThat(missing.config().node().secret()).isEmpty();
        assertThat(missing.config().server().port()).isEqualTo("8000");
        assertThat(missing.config().node().name()).isEqualTo("h_8000");
    }

    @Test
    void unparsableFilesFailWithV1Prefix() throws IOException {
        Path json = write("bad.json", "{\"secret\": }");
        Path toml = write("bad.toml", "secret = abc-def\n");
        Path yaml = write("bad.yaml", "secret: [unclosed\n");
        Path empty = write("empty.json", "");

        for (Path p : new Path[] {json, toml, yaml, empty}) {
            assertThatThrownBy(() -> new ConfigLoader(p, Map.of(), Map.of()).load())
                    .isInstanceOf(ConfigParseException.class)
                    .hasMessageStartingWith("While parsing config: ")
                    .hasMessageNotContaining("\n");
        }
        assertThatThrownBy(() -> ConfigFile.read(json)).hasMessageContaining("line 1");
    }

    @Test
    void emptyYamlAndTomlAreEmptyConfigs() throws IOException {
        assertThat(ConfigFile.read(write("e.yaml", "")).orElseThrow().values()).isEmpty();
        assertThat(ConfigFile.read(write("e.toml", "")).orElseThrow().values()).isEmpty();
    }

    @Test
    void topLevelMustBeAMap() throws IOException {
        Path p = write("list.json", "[1, 2]");

        assertThatThrownBy(() -> ConfigFile.read(p)).isInstanceOf(ConfigParseException.class)
                .hasMessage("While parsing config: the top level must be a map of keys to values, got array");
    }

    private RotorConfig load(Path file) {
        ConfigLoader.Loaded loaded = new ConfigLoader(file, Map.of(), Map.of(), () -> "host").load();
        assertThat(loaded.fileFound()).isTrue();
        return loaded.config();
    }

    /** A wrong path to a huge file gets a clear error, not an OutOfMemoryError (a sparse file: no disk used). */
    @Test
    void aConfigFileLargerThan16MiBIsRefusedBeforeItIsRead() throws IOException {
        Path huge = write("huge.json", "{}");
        try (RandomAccessFile f = new RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(ConfigFile.MAX_SIZE + 1);
        }
        assertThatThrownBy(() -> ConfigFile.read(huge, ConfigFile.maxSize(8L << 30))).isInstanceOf(ConfigException.class)
                .hasMessage("Config file " + huge + " is 16777217 bytes; the most Rotor reads is 16777216 bytes"
                        + " (16 MiB): a 128th of the maximum heap, at most 16 MiB");
    }

    /**
     * The limit follows the heap: a reload parses the file beside the running server, where running out of heap
     * ends the process.
     */
    @Test
    void theLargestConfigFileReadIsAShareOfTheHeap() throws IOException {
        assertThat(ConfigFile.maxSize(128L << 20)).isEqualTo(1L << 20);
        assertThat(ConfigFile.maxSize(16L << 20)).isEqualTo(ConfigFile.MIN_SIZE);
        assertThat(ConfigFile.maxSize(64L << 30)).isEqualTo(ConfigFile.MAX_SIZE);
        Path big = write("big.json", "{}");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.setLength((1L << 20) + 1);
        }
        assertThatThrownBy(() -> ConfigFile.read(big, ConfigFile.maxSize(128L << 20)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("the most Rotor reads is 1048576 bytes");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }
}
