package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unknown keys at the top level and in namespaces are reported with a hint, and otherwise ignored as in v1. */
class UnknownKeysTest {
    @TempDir
    Path dir;

    @Test
    void aMisspeltTopLevelKeyIsReportedWithTheKeyItResembles() throws IOException {
        ConfigLoader.Loaded loaded = load("{\"secret\": \"s\", \"prescence\": true, \"Histroy_Size\": 10}");

        assertThat(loaded.unknownKeys()).containsExactly(
                "unknown key \"prescence\" in the config file, did you mean \"presence\"?",
                "unknown key \"histroy_size\" in the config file, did you mean \"history_size\"?");
        assertThat(loaded.config().node().topLevel().presence()).isFalse(); // still ignored, as in v1
    }

    @Test
    void aKeyLikeNoOtherIsReportedWithoutAHint() throws IOException {
        assertThat(load("{\"frobnicate\": 1}").unknownKeys())
                .containsExactly("unknown key \"frobnicate\" in the config file");
    }

    @Test
    void everyKnownKeyInAnyCasePasses() throws IOException {
        assertThat(load("""
                {"SECRET": "s", "namespaces": [{"NAME": "chat", "Presence": true}], "redis_sentinels": "",
                 "prometheus": true, "token_hmac_secret_key": "k"}
                """).unknownKeys()).isEmpty();
    }

    @Test
    void aMisspeltNamespaceOptionNamesItsNamespace() throws IOException {
        ConfigLoader.Loaded loaded = load("""
                {"namespaces": [{"name": "chat", "histroy_size": 10, "history_lifetime": 60},
                                {"name": "news", "watch": true, "wibble": 1}]}
                """);

        assertThat(loaded.unknownKeys()).containsExactly(
                "unknown option \"histroy_size\" in namespace \"chat\", did you mean \"history_size\"?",
                "unknown option \"wibble\" in namespace \"news\"");
    }

    @Test
    void namespacesGivenAsAStringAreCheckedToo() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"),
                "namespaces: '[{\"name\": \"ns\", \"presense\": true}]'\n");

        assertThat(new ConfigLoader(file, Map.of(), Map.of(), () -> "h").load().unknownKeys()).containsExactly(
                "unknown option \"presense\" in namespace \"ns\", did you mean \"presence\"?");
    }

    @Test
    void inspectReportsUnknownKeysAndAppliesTheEnvironment() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"s\", \"prot\": 9000}");

        ConfigLoader.Checked checked = ConfigLoader.inspect(file, Map.of("CENTRIFUGO_PORT", "8123"));

        assertThat(checked.unknownKeys())
                .containsExactly("unknown key \"prot\" in the config file, did you mean \"port\"?");
        assertThat(checked.config().server().port()).isEqualTo("8123");
    }

    private ConfigLoader.Loaded load(String json) throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), json);
        return new ConfigLoader(file, Map.of(), Map.of(), () -> "h").load();
    }
}
