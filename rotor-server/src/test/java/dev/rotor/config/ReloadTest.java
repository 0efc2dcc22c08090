package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReloadTest {
    @TempDir
    Path dir;
    Path file;
    ConfigLoader loader;
    RotorConfig started;

    @BeforeEach
    void start() throws IOException {
        file = write("""
                {"secret": "one", "client_channel_limit": 10, "port": "8001", "log_level": "info",
                 "namespaces": [{"name": "ns", "publish": true}]}
                """);
        loader = new ConfigLoader(file, Map.of("CENTRIFUGO_ANONYMOUS", "true"), Map.of("insecure", true), () -> "h");
        started = loader.load().config();
    }

    @Test
    void theFileReplacesThePreviousFileCompletely() throws IOException {
        write("""
                {"secret": "two", "log_level": "debug", "namespaces": [{"name": "other", "presence": true}]}
                """);

        ConfigLoader.Reloaded r = loader.reload(started);

        assertThat(r.ok()).isTrue();
        RotorConfig c = r.config();
        assertThat(c.node().secret()).isEqualTo("two");
        assertThat(c.node().clientChannelLimit()).isEqualTo(128);       // removed from the file: default again
        assertThat(c.node().namespaces()).containsOnlyKeys("other");
        assertThat(c.node().topLevel().anonymous()).isTrue();           // env still applies
        assertThat(c.node().insecure()).isTrue();                       // flags still apply
        assertThat(c.logLevel()).isEqualTo("debug");
        assertThat(c.node().name()).isEqualTo("h_8000");                // reloadable; port in the file is gone
    }

    @Test
    void theClientQueueBudgetIsReloaded() throws IOException {
        write("""
                {"secret": "one", "client_queue_budget": 1048576}
                """);

        ConfigLoader.Reloaded r = loader.reload(started);

        assertThat(r.ok()).isTrue();
        assertThat(r.config().node().clientQueueBudget()).isEqualTo(1048576);
    }

    @Test
    void nonReloadableSettingsStayAsStarted() throws IOException {
        write("{\"port\": \"9999\", \"engine\": \"redis\", \"redis_pool\": 3, \"pid_file\": \"x.pid\"}");

        RotorConfig c = loader.reload(started).config();

        assertThat(c.server()).isSameAs(started.server());
        assertThat(c.engine()).isEqualTo("memory");
        assertThat(c.engineValues()).isSameAs(started.engineValues());
        assertThat(c.pidFile()).isEmpty();
    }

    @Test
    void aParseErrorKeepsTheOldConfig() throws IOException {
        write("{\"secret\": ");

        ConfigLoader.Reloaded r = loader.reload(started);

        assertThat(r.ok()).isFalse();
        assertThat(r.config()).isSameAs(started);
        assertThat(r.error()).get().asString().startsWith("Error parsing configuration: While parsing config: ");
    }

    @Test
    void aMissingFileKeepsTheOldConfig() throws IOException {
        Files.delete(file);

        ConfigLoader.Reloaded r = loader.reload(started);

        assertThat(r.config()).isSameAs(started);
        assertThat(r.error()).contains("No config file found");
    }

    @Test
    void anInvalidConfigKeepsTheOldOne() throws IOException {
        write("{\"secret\": \"two\", \"namespaces\": [{\"name\": \"x\"}]}");

        ConfigLoader.Reloaded r = loader.reload(started);

        assertThat(r.config()).isSameAs(started);
        assertThat(r.error()).contains("config error: wrong namespace name \u2013 x");
    }

    private Path write(String json) throws IOException {
        return Files.writeString(dir.resolve("config.json"), json);
    }
}
