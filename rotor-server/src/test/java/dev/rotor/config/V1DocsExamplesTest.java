package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every configuration example of the v1 documentation loads and validates (see the resource folder's README). */
class V1DocsExamplesTest {

    static Stream<Path> examples() throws IOException, URISyntaxException {
        Path dir = Path.of(V1DocsExamplesTest.class.getResource("/v1-docs-examples").toURI());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> !p.getFileName().toString().equals("README.md")).sorted().toList();
        }
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleValidates(Path file) {
        RotorConfig c = ConfigLoader.check(file);

        assertThat(c.node()).isNotNull();
    }

    @Test
    void thereAreExamplesForEveryFormat() throws Exception {
        assertThat(examples().map(p -> ConfigFormat.of(p).orElseThrow())).contains(ConfigFormat.values());
    }

    @Test
    void theDevelopmentExampleMeansTheSameInAllThreeFormats() throws Exception {
        RotorConfig json = ConfigLoader.check(example("configuration-dev.json"));

        assertThat(ConfigLoader.check(example("configuration-dev.toml"))).usingRecursiveComparison().isEqualTo(json);
        assertThat(ConfigLoader.check(example("configuration-dev.yaml"))).usingRecursiveComparison().isEqualTo(json);
        assertThat(json.logLevel()).isEqualTo("debug");
        assertThat(json.node().namespaces().get("public")).isEqualTo(ChannelOptions.builder().publish(true)
                .watch(true).presence(true).joinLeave(true).historySize(10).historyLifetime(30).build());
    }

    @Test
    void theFullSettingsExampleHasTopLevelOptionsAndTwoNamespaces() throws Exception {
        RotorConfig c = ConfigLoader.check(example("settings-namespaces.json"));

        assertThat(c.node().topLevel()).isEqualTo(ChannelOptions.builder().anonymous(true).publish(true).watch(true)
                .presence(true).joinLeave(true).historySize(10).historyLifetime(30).build());
        assertThat(c.node().namespaces()).containsOnlyKeys("public", "gossips");
        assertThat(c.node().channelOptions("gossips:news")).isEqualTo(ChannelOptions.builder().watch(true).build());
    }

    @Test
    void portAndTlsExamplesReachTheServerConfig() throws Exception {
        assertThat(ConfigLoader.check(example("advanced-port.json")).server().port()).isEqualTo("9000");
        assertThat(ConfigLoader.check(example("advanced-admin-port.json")).server().effectiveAdminPort())
                .isEqualTo("10000");
        assertThat(ConfigLoader.check(example("advanced-api-port.json")).server().effectiveApiPort())
                .isEqualTo("10001");
        assertThat(ConfigLoader.check(example("certificates-ssl.json")).server().sslCert()).isEqualTo("server.crt");
        AutocertSettings acme = ConfigLoader.check(example("certificates-autocert.json")).autocert();
        assertThat(acme.enabled()).isTrue();
        assertThat(acme.hosts()).containsExactly("www.example.com");
        assertThat(acme.cacheDir()).isEqualTo("/tmp/certs");
        assertThat(acme.email()).isEqualTo("user@example.com");
    }

    private static Path example(String name) throws URISyntaxException {
        return Path.of(V1DocsExamplesTest.class.getResource("/v1-docs-examples/" + name).toURI());
    }
}
