package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.config.ConfigKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.Model.OptionSpec;

class MainTest {
    /** Every flag of v1.8.0's {@code -h} listing (configuration.md §5). */
    private static final List<String> V1_FLAGS = List.of("-a", "--address", "--admin", "--admin_port", "--api_port",
            "-c", "--config", "-d", "--debug", "-e", "--engine", "--insecure", "--insecure_admin", "--insecure_api",
            "--log_file", "--log_level", "-n", "--name", "--pid_file", "-p", "--port", "--redis_api",
            "--redis_api_num_shards", "--redis_db", "--redis_host", "--redis_master_name", "--redis_password",
            "--redis_pool", "--redis_port", "--redis_sentinels", "--redis_url", "--ssl", "--ssl_cert", "--ssl_key",
            "-w", "--web", "--web_path");
    private static final String LOG_LINE = "\\[%s]: \\d{4}/\\d{2}/\\d{2} \\d{2}:\\d{2}:\\d{2} %s";

    @TempDir
    Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void versionPrintsOneLineAndExitsZero() {
        assertThat(cli.run("version")).isZero();

        assertThat(cli.out()).matches("Rotor v\\S+ \\(Centrifugo v1\\.8\\.0 compatible; Java \\S+\\)\\R");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--foo", "--foo=bar"})
    void anUnknownFlagExitsNonZeroWithUsage(String flag) {
        int code = cli.run(flag);

        // v1 compat: v1.8.0 exits 0 here; a typo must not look like success.
        assertThat(code).isEqualTo(2);
        assertThat(cli.err()).startsWith("Error: unknown flag: --foo").contains("Usage:", "--redis_url");
        assertThat(cli.servers).isEmpty();
    }

    @Test
    void anUnknownCommandExitsNonZero() {
        assertThat(cli.run("serve")).isEqualTo(2);
        assertThat(cli.err()).startsWith("Error: unknown command \"serve\" for \"rotor\"");
    }

    @Test
    void aMissingFlagValueExitsNonZero() {
        assertThat(cli.run("--port")).isEqualTo(2);
        assertThat(cli.err()).startsWith("Error: ");
    }

    @Test
    void helpListsCommandsAndFlags() {
        assertThat(cli.run("help")).isZero();

        assertThat(cli.out()).contains("Available Commands:", "version", "checkconfig", "genconfig", "help",
                "Flags:", "--redis_api_num_shards", "path to config file (default \"config.json\")");
    }

    @Test
    void helpForASubcommand() {
        assertThat(cli.run("help", "genconfig")).isZero();
        assertThat(cli.out()).contains("Generate simple configuration file to start with", "--config");
        assertThat(cli.run("checkconfig", "-h")).isZero();
    }

    @Test
    void everyV1FlagExistsAndEveryFlagIsAConfigKey() {
        List<OptionSpec> options = new Main().newCommandLine().getCommandSpec().options();

        assertThat(options.stream().flatMap(o -> List.of(o.names()).stream())).containsAll(V1_FLAGS);
        assertThat(options).allSatisfy(o -> {
            String key = o.longestName().substring(2);
            if (!key.equals("config") && !key.equals("help")) {
                assertThat(ConfigKey.of(key)).as(key).isPresent();
            }
        });
    }

    @Test
    void checkconfigIsSilentOnAValidFile() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"x\"}");

        assertThat(cli.run("checkconfig", "-c", file.toString())).isZero();
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void checkconfigAppliesTheEnvironmentAsTheServerDoes() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"x\"}");
        cli.env.put("CENTRIFUGO_PORT", "not-a-port");

        assertThat(cli.run("checkconfig", "--config=" + file)).isEqualTo(1);
        assertThat(cli.out()).matches(String.format(LOG_LINE, "F", "config error: port: expected a port number from 0 "
                + "to 65535, got \"not-a-port\"") + "\\R");
    }

    @Test
    void checkconfigPassesUnknownKeysSilentlyLikeV1() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"x\", \"prescence\": true}");

        assertThat(cli.run("checkconfig", "-c", file.toString())).isZero();
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void checkconfigStrictFailsOnUnknownKeysWithAHint() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), """
                {"secret": "x", "prescence": true, "namespaces": [{"name": "chat", "histroy_size": 10}]}
                """);

        assertThat(cli.run("checkconfig", "--strict", "-c", file.toString())).isEqualTo(1);
        assertThat(cli.out().lines()).satisfiesExactly(
                l -> assertThat(l).matches(String.format(LOG_LINE, "E", "config error: unknown key \"prescence\" in "
                        + "the config file, did you mean \"presence\"\\?")),
                l -> assertThat(l).matches(String.format(LOG_LINE, "E", "config error: unknown option \"histroy_size\" "
                        + "in namespace \"chat\", did you mean \"history_size\"\\?")));
    }

    @Test
    void checkconfigStrictIsSilentOnAFileWithOnlyKnownKeys() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{\"secret\": \"x\", \"presence\": true}");

        assertThat(cli.run("checkconfig", "--strict", "-c", file.toString())).isZero();
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void checkconfigFailsOnAMissingFile() {
        Path file = dir.resolve("nope.json");

        assertThat(cli.run("checkconfig", "-c", file.toString())).isEqualTo(1);
        assertThat(cli.out()).matches(String.format(LOG_LINE, "F",
                "Unable to locate config file, use \"rotor genconfig -c \\Q" + file + "\\E\" command to generate one")
                + "\\R");
    }

    @Test
    void checkconfigFailsOnAParseError() throws IOException {
        Path file = Files.writeString(dir.resolve("config.yaml"), "secret: [\n");

        assertThat(cli.run("checkconfig", "-c", file.toString())).isEqualTo(1);
        assertThat(cli.out()).matches(String.format(LOG_LINE, "F", "While parsing config: .*") + "\\R");
    }

    @Test
    void checkconfigFailsOnAWrongNamespace() throws IOException {
        Path file = Files.writeString(dir.resolve("config.toml"), "[[namespaces]]\nname = \"a b\"\n");

        assertThat(cli.run("checkconfig", "-c", file.toString())).isEqualTo(1);
        assertThat(cli.out()).contains("[F]: ").endsWith("config error: wrong namespace name \u2013 a b\n");
    }

    @Test
    void genconfigWritesAFileThatChecksOut() throws IOException {
        for (String name : new String[] {"config.json", "config.toml", "config.yaml", "config.yml"}) {
            Path file = dir.resolve(name);

            assertThat(cli.run("genconfig", "-c", file.toString())).as(name).isZero();
            assertThat(Files.readString(file)).contains("secret");
            assertThat(cli.run("checkconfig", "-c", file.toString())).as(name).isZero();
        }
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void genconfigRefusesAnExistingFile() throws IOException {
        Path file = Files.writeString(dir.resolve("config.json"), "{}");

        assertThat(cli.run("genconfig", "--config", file.toString())).isEqualTo(1);
        assertThat(cli.out()).matches(String.format(LOG_LINE, "F",
                "output config file already exists: \\Q" + file + "\\E") + "\\R");
        assertThat(Files.readString(file)).isEqualTo("{}");
    }

    @Test
    void genconfigRefusesAnUnsupportedExtension() {
        assertThat(cli.run("genconfig", "-c", dir.resolve("config.txt").toString())).isEqualTo(1);
        assertThat(cli.out()).contains(
                "[F]: ", "output config file must have one of supported extensions: json, toml, yaml, yml");
        assertThat(dir.resolve("config.txt")).doesNotExist();
    }
}
