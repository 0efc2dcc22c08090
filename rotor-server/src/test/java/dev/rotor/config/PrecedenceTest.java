package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrecedenceTest {
    @TempDir
    Path dir;
    Path file;

    @BeforeEach
    void writeFile() throws IOException {
        file = Files.writeString(dir.resolve("config.json"), """
                {"secret": "from-file", "port": "8001", "address": "127.0.0.1", "history_size": 5,
                 "client_channel_limit": 7, "engine": "memory"}
                """);
    }

    @Test
    void flagBeatsEnvBeatsFileBeatsDefault() {
        Map<String, String> env = Map.of("CENTRIFUGO_SECRET", "from-env", "CENTRIFUGO_PORT", "8002",
                "CENTRIFUGO_ADMIN", "1");
        Map<String, Object> flags = Map.of("port", "8003");

        RotorConfig c = load(env, flags);

        assertThat(c.server().port()).isEqualTo("8003");           // flag
        assertThat(c.node().secret()).isEqualTo("from-env");       // env over file
        assertThat(c.node().admin()).isTrue();                     // env over default
        assertThat(c.server().address()).isEqualTo("127.0.0.1");  // file
        assertThat(c.node().topLevel().historySize()).isEqualTo(5);
        assertThat(c.node().maxChannelLength()).isEqualTo(255);    // default
    }

    @Test
    void anExplicitFlagWinsEvenWithTheDefaultValue() {
        RotorConfig c = load(Map.of("CENTRIFUGO_PORT", "8002"), Map.of("port", "8000"));

        assertThat(c.server().port()).isEqualTo("8000");
    }

    @Test
    void emptyEnvValuesCountAsUnset() {
        RotorConfig c = load(Map.of("CENTRIFUGO_SECRET", "", "CENTRIFUGO_HISTORY_SIZE", ""), Map.of());

        assertThat(c.node().secret()).isEqualTo("from-file");
        assertThat(c.node().topLevel().historySize()).isEqualTo(5);
    }

    @Test
    void onlyBoundKeysAreReadFromEnv() {
        RotorConfig c = load(Map.of("CENTRIFUGO_CLIENT_CHANNEL_LIMIT", "99", "CENTRIFUGO_LOG_LEVEL", "debug",
                "CENTRIFUGO_CONNECTION_LIFETIME", "77", "secret", "lower-case-is-not-env"), Map.of());

        assertThat(c.node().clientChannelLimit()).isEqualTo(7);
        assertThat(c.logLevel()).isEqualTo("info");
        assertThat(c.node().connectionLifetime()).isEqualTo(77);
        assertThat(c.node().secret()).isEqualTo("from-file");
    }

    @Test
    void everyKeyOfTheEnvListIsBound() {
        String bound = "debug insecure insecure_api admin admin_password admin_secret insecure_admin secret "
                + "connection_lifetime watch publish anonymous join_leave presence recover history_size "
                + "history_lifetime history_drop_inactive port api_port admin_port address web web_path insecure_web "
                + "ssl ssl_cert ssl_key engine redis_host redis_port redis_url";
        String beyondV1 = "warmup_connections"; // a container or an A/B turns it on without another config file

        assertThat(java.util.Arrays.stream(ConfigKey.values()).filter(ConfigKey::envBound).map(ConfigKey::key))
                .containsExactlyInAnyOrder((bound + " " + beyondV1).split(" "));
        assertThat(ConfigKey.SECRET.envName()).isEqualTo("CENTRIFUGO_SECRET");
    }

    @Test
    void envReachesServerAndRedisSettings() {
        RotorConfig c = load(Map.of("CENTRIFUGO_ENGINE", "redis", "CENTRIFUGO_REDIS_HOST", "10.0.0.1",
                "CENTRIFUGO_SSL", "true", "CENTRIFUGO_SSL_CERT", "c.pem", "CENTRIFUGO_SSL_KEY", "k.pem",
                "CENTRIFUGO_WEB", "t"), Map.of());

        assertThat(c.engine()).isEqualTo("redis");
        assertThat(c.engineValues().string("redis_host")).isEqualTo("10.0.0.1");
        assertThat(c.server().ssl()).isTrue();
        assertThat(c.server().sslCert()).isEqualTo("c.pem");
        assertThat(c.server().web()).isTrue();
        assertThat(c.node().web()).isTrue();
    }

    @Test
    void defaultNameIsHostnameUnderscorePort() {
        assertThat(load(Map.of(), Map.of("port", "9001")).node().name()).isEqualTo("myhost_9001");
        assertThat(load(Map.of(), Map.of("name", "node-a")).node().name()).isEqualTo("node-a");
    }

    @Test
    void typedFlagValuesAreAccepted() {
        RotorConfig c = load(Map.of(), Map.of("redis_pool", 12, "redis_api", true, "insecure", true));

        assertThat(c.engineValues().integer("redis_pool")).isEqualTo(12);
        assertThat(c.engineValues().bool("redis_api")).isTrue();
        assertThat(c.node().insecure()).isTrue();
    }

    @Test
    void nodeVersionIsRotorsOwn() {
        assertThat(load(Map.of(), Map.of()).node().version()).isEqualTo(RotorVersion.current())
                .isEqualTo(RotorVersion.FALLBACK);
    }

    private RotorConfig load(Map<String, String> env, Map<String, Object> flags) {
        return new ConfigLoader(file, env, flags, () -> "myhost").load().config();
    }
}
