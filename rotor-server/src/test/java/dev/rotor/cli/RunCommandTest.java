package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.config.RotorConfig;
import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineProvider;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.server.ByteCounts;
import java.io.IOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    Path dir;
    final CliHarness cli = new CliHarness();

    @Test
    void startsWithFileEnvAndExplicitFlagsThenShutsDownGracefully() throws IOException {
        Path file = write("config.json", "{\"secret\": \"s\", \"port\": \"8100\", \"admin\": false}");
        cli.env.put("CENTRIFUGO_ADMIN", "1");

        int code = cli.run("-c", file.toString(), "--port=8101", "-n", "node1", "--insecure", "--api_port", "8102");

        assertThat(code).isZero();
        RecordingServer s = cli.server();
        assertThat(s.started).isTrue();
        assertThat(s.shutdownCalled).isTrue();
        assertThat(s.server.port()).isEqualTo("8101");
        assertThat(s.server.effectiveApiPort()).isEqualTo("8102");
        assertThat(s.node.name()).isEqualTo("node1");
        assertThat(s.node.secret()).isEqualTo("s");
        assertThat(s.node.admin()).isTrue();
        assertThat(s.node.insecure()).isTrue();
        assertThat(s.engine.name()).isEqualTo("In memory \u2013 single node only");
        assertThat(cli.out())
                .contains("[I]: ", "Config path: " + file.toAbsolutePath())
                .contains("Rotor version: ", "(Centrifugo v1.8.0 compatible)")
                .contains("Process PID: " + ProcessHandle.current().pid())
                .contains("Engine: In memory \u2013 single node only")
                .contains("Channel histories held in memory count at most "
                        + ByteCounts.describe(MemoryEngine.defaultHistoryBudget()) + " (memory_history_budget)")
                .contains("GOMAXPROCS: ")
                .contains("SockJS url: //cdn.jsdelivr.net/sockjs/1.1/sockjs.min.js")
                .contains("[W]: ", "Running in INSECURE client mode")
                .contains("Shutting down")
                .doesNotContain("No config file found", "INSECURE API");
    }

    @Test
    void unknownKeysAreWarnedAboutOnceAtStartWithAHint() throws IOException {
        Path file = write("config.json", "{\"secret\": \"s\", \"prescence\": true, \"prescence\": false}");

        assertThat(cli.run("-c", file.toString())).isZero();
        assertThat(cli.server().started).isTrue();
        String warning = "[W]: ";
        assertThat(cli.out().lines().filter(l -> l.contains("prescence")))
                .singleElement().satisfies(l -> assertThat(l).startsWith(warning)
                        .endsWith("unknown key \"prescence\" in the config file, did you mean \"presence\"?"));
    }

    @Test
    void aReloadWarnsAboutNewUnknownKeysButNotAgainAboutOldOnes() throws IOException {
        Path file = write("config.json", "{\"secret\": \"s\", \"prescence\": true}");
        cli.whileRunning = runner -> {
            write(file, "{\"secret\": \"s\", \"prescence\": true, \"histroy_size\": 10}");
            assertThat(runner.reload()).isTrue();
        };

        assertThat(cli.run("-c", file.toString())).isZero();
        assertThat(cli.out().lines().filter(l -> l.contains("unknown key"))).satisfiesExactly(
                l -> assertThat(l).startsWith("[W]: ").contains("\"prescence\"", "did you mean \"presence\"?"),
                l -> assertThat(l).startsWith("[W]: ").contains("\"histroy_size\"", "did you mean \"history_size\"?"));
    }

    @Test
    void booleanFlagsTakeAnAttachedValueAndShortFlagsTakeTheNextArgument() throws IOException {
        Path file = write("config.json", "{\"web\": true}");
        cli.env.put("CENTRIFUGO_ADMIN", "true");

        assertThat(cli.run("-c", file.toString(), "--admin=false", "--web=false", "-p", "8200", "-e=memory")).isZero();

        assertThat(cli.server().node.admin()).isFalse();
        assertThat(cli.server().server.web()).isFalse();
        assertThat(cli.server().server.port()).isEqualTo("8200");
    }

    @Test
    void everyInsecureModeAndDebugAreWarnedAbout() throws IOException {
        Path file = write("config.json", "{}");

        cli.run("-c", file.toString(), "--insecure", "--insecure_api", "--insecure_admin", "-d");

        assertThat(cli.out()).contains("[W]: ").contains("Running in INSECURE client mode",
                "Running in INSECURE API mode", "Running in INSECURE admin mode", "Running in DEBUG mode");
    }

    @Test
    void theWebInterfaceWithoutAdminCredentialsIsWarnedAbout() throws IOException {
        Path file = write("config.json", "{\"web\": true, \"admin_password\": \"p\"}");
        cli.run("-c", file.toString());
        assertThat(cli.out()).contains("[W]: ", "admin_password or admin_secret is not set");
    }

    @Test
    void theWebInterfaceWithAdminCredentialsOrInsecureAdminIsNotWarnedAbout() throws IOException {
        Path file = write("config.json", "{\"web\": true, \"admin_password\": \"p\", \"admin_secret\": \"s\"}");
        cli.run("-c", file.toString());
        Path insecure = write("insecure.json", "{\"web\": true}");
        cli.run("-c", insecure.toString(), "--insecure_admin");
        assertThat(cli.out()).doesNotContain("admin_password or admin_secret is not set");
    }

    @Test
    void quickStartGeneratesAMissingConfigFileAndUsesIt() throws IOException {
        Path file = dir.resolve("config.json");

        assertThat(cli.run("--config", file.toString())).isZero();

        assertThat(file).exists();
        String secret = Files.readString(file).replaceAll("(?s).*\"secret\": \"([^\"]+)\".*", "$1");
        assertThat(cli.server().node.secret()).isEqualTo(secret).isNotEmpty();
        assertThat(cli.out()).contains("[I]: ", "Configuration file " + file + " not found: generated one")
                .doesNotContain("No config file found");
    }

    @Test
    void autocertStartsTheServer() throws IOException {
        Path file = write("config.json", "{\"ssl_autocert\": true, \"ssl_autocert_host_whitelist\": \"example.com\"}");

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(cli.server().started).isTrue();
        assertThat(cli.out()).doesNotContain("not supported");
    }

    @Test
    void debugModeExplainsThatPprofIsNotServed() throws IOException {
        Path file = write("config.json", "{\"debug\": true}");

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(cli.out()).contains("[W]: ", "pprof endpoints under /debug/pprof/ have no JVM equivalent");
    }

    @Test
    void aMissingFileWithAnUnsupportedExtensionStartsWithDefaultsLikeV1() {
        Path file = dir.resolve("config.ini");

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(file).doesNotExist();
        assertThat(cli.out()).contains("[W]: ", "No config file found");
        assertThat(cli.server().node.secret()).isEmpty();
    }

    @Test
    void anUnknownEngineIsFatal() throws IOException {
        Path file = write("config.json", "{}");

        assertThat(cli.run("-c", file.toString(), "-e", "mongo")).isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ", "Unknown engine: mongo");
        assertThat(cli.servers).isEmpty();
    }

    @Test
    void badRedisSettingsAreReportedFirst() throws IOException {
        Path file = write("config.json", "{\"engine\": \"redis\", \"redis_host\": \"a,b\", \"redis_port\": \"1,2,3\"}");

        assertThat(cli.run("-c", file.toString())).isEqualTo(1);

        assertThat(cli.out()).contains(
                "Error creating engine: Malformed sharding configuration: wrong number of redis hosts");
    }

    @Test
    void theWarmUpRunsWithTheConfiguredConnectionsBeforeTheServerIsCreatedAndSaysWhatItDid() throws IOException {
        Path file = write("config.json", "{\"secret\": \"s\", \"warmup_connections\": 5000}");
        List<String> calls = new CopyOnWriteArrayList<>();
        cli.warmup = (connections, limit, cancelled) -> {
            calls.add(connections + " in " + limit + ", servers before: " + cli.servers.size()
                    + ", cancelled: " + cancelled.getAsBoolean());
            return new Warmup.Result(connections, Duration.ofMillis(1234));
        };

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(calls).containsExactly("5000 in PT5S, servers before: 0, cancelled: false");
        assertThat(cli.out()).contains("[I]: ", "JIT warm-up: 5000 connections in 1234 ms");
        assertThat(cli.out().indexOf("Engine: ")).isLessThan(cli.out().indexOf("JIT warm-up"));
        assertThat(cli.server().started).isTrue();
    }

    @Test
    void theWarmUpIsOffByDefaultAndTheEnvironmentCanTurnItOn() throws IOException {
        AtomicInteger asked = new AtomicInteger(-1);
        cli.warmup = (connections, limit, cancelled) -> {
            asked.set(connections);
            return new Warmup.Result(connections, Duration.ZERO);
        };
        assertThat(cli.run("-c", write("a.json", "{}").toString())).isZero();
        assertThat(asked).hasValue(-1);
        assertThat(cli.out()).doesNotContain("JIT warm-up");

        cli.env.put("CENTRIFUGO_WARMUP_CONNECTIONS", "300");
        assertThat(cli.run("-c", write("b.json", "{}").toString())).isZero();
        assertThat(asked).hasValue(300);
    }

    @Test
    void aFailedWarmUpIsAWarningAndTheServerStartsWithoutIt() throws IOException {
        cli.warmup = (connections, limit, cancelled) -> {
            throw new IOException("the warm-up server sent no \"connect\"");
        };

        assertThat(cli.run("-c", write("config.json", "{\"warmup_connections\": 10}").toString())).isZero();

        assertThat(cli.out()).contains("[W]: ",
                "JIT warm-up failed, starting without it: the warm-up server sent no \"connect\"");
        assertThat(cli.server().started).isTrue();
    }

    @Test
    void theWarmUpsPrivateServerLogsNothingButTheRealOneDoes() throws IOException {
        cli.warmup = (connections, limit, cancelled) -> {
            org.slf4j.LoggerFactory.getLogger("dev.rotor.server.RotorServer").info("Start serving on a private port");
            org.slf4j.LoggerFactory.getLogger("io.netty.channel").warn("a library warning");
            return new Warmup.Result(connections, Duration.ZERO);
        };

        assertThat(cli.run("-c", write("config.json", "{\"warmup_connections\": 10}").toString())).isZero();

        assertThat(cli.out()).doesNotContain("private port", "a library warning").contains("Shutting down");
    }

    @Test
    void aWarmUpConnectionCountOutsideItsRangeIsAConfigError() throws IOException {
        assertThat(cli.run("-c", write("config.json", "{\"warmup_connections\": -1}").toString())).isEqualTo(1);
        assertThat(cli.run("-c", write("big.json", "{\"warmup_connections\": 1000001}").toString())).isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ",
                "warmup_connections: expected 0 (no warm-up) to 1000000 connections, got -1",
                "warmup_connections: expected 0 (no warm-up) to 1000000 connections, got 1000001");
        assertThat(cli.servers).isEmpty();
    }

    @Test
    void aParseErrorIsFatal() throws IOException {
        Path file = write("config.json", "{\"secret\": ");

        assertThat(cli.run("-c", file.toString())).isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ", "Error parsing configuration: While parsing config: ");
        assertThat(cli.servers).isEmpty();
    }

    @Test
    void aValidationErrorIsFatal() throws IOException {
        Path file = write("config.json", "{\"namespaces\": [{\"name\": \"x\"}]}");

        assertThat(cli.run("-c", file.toString())).isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ",
                "Error validating config: config error: wrong namespace name \u2013 x");
    }

    @Test
    void thePidFileHoldsThePidWhileRunningAndIsRemovedOnShutdown() throws IOException {
        Path file = write("config.json", "{}");
        Path pid = dir.resolve("rotor.pid");
        AtomicReference<String> whileRunning = new AtomicReference<>();
        cli.whileRunning = runner -> whileRunning.set(read(pid));

        assertThat(cli.run("-c", file.toString(), "--pid_file", pid.toString())).isZero();

        assertThat(whileRunning.get()).isEqualTo(ProcessHandle.current().pid() + "\n");
        assertThat(pid).doesNotExist();
    }

    @Test
    void aPidFileThatCannotBeWrittenIsFatal() throws IOException {
        Path file = write("config.json", "{}");

        assertThat(cli.run("-c", file.toString(), "--pid_file", dir.resolve("no/such/dir.pid").toString()))
                .isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ", "Unable to write PID file ");
        assertThat(cli.servers).isEmpty();
    }

    @Test
    void aServerThatCannotStartIsFatalAndCleansUp() throws IOException {
        Path file = write("config.json", "{}");
        Path pid = dir.resolve("rotor.pid");
        cli.onCreate = s -> s.startFailure = new BindException("Address already in use");

        assertThat(cli.run("-c", file.toString(), "--pid_file=" + pid)).isEqualTo(1);

        assertThat(cli.out()).contains("[F]: ", "Unable to start server: Address already in use");
        assertThat(pid).doesNotExist();
    }

    @Test
    void aLogFileGetsTheLinesAppendedAndStdoutStaysQuiet() throws IOException {
        Path file = write("config.json", "{}");
        Path log = Files.writeString(dir.resolve("rotor.log"), "earlier line\n");

        assertThat(cli.run("-c", file.toString(), "--log_file", log.toString())).isZero();

        assertThat(Files.readString(log)).startsWith("earlier line\n").contains("[I]: ", "Config path: ");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void theLogLevelComesFromTheFileUnlessAFlagSaysOtherwise() throws IOException {
        Path file = write("config.json", "{\"log_level\": \"error\", \"insecure\": true}");

        assertThat(cli.run("-c", file.toString())).isZero();
        assertThat(cli.out()).doesNotContain("[I]: ", "[W]: ");

        CliHarness again = new CliHarness();
        assertThat(again.run("-c", file.toString(), "--log_level=WARN")).isZero();
        assertThat(again.out()).doesNotContain("[I]: ").contains("[W]: ", "Running in INSECURE client mode");
    }

    @Test
    void sighupReloadsTheFileAndSwapsTheNodeConfig() throws IOException {
        Path file = write("config.json", "{\"secret\": \"one\"}");
        AtomicReference<Boolean> reloaded = new AtomicReference<>();
        AtomicReference<RotorConfig> after = new AtomicReference<>();
        cli.whileRunning = runner -> {
            write(file, "{\"secret\": \"two\", \"namespaces\": [{\"name\": \"ns\", \"publish\": true}]}");
            reloaded.set(runner.reload());
            after.set(runner.config());
        };

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(reloaded.get()).isTrue();
        assertThat(cli.server().reloads).singleElement().satisfies(n -> {
            assertThat(n.secret()).isEqualTo("two");
            assertThat(n.namespaces().get("ns").publish()).isTrue();
        });
        assertThat(after.get().node().secret()).isEqualTo("two");
        assertThat(cli.out()).contains("Reloading configuration", "[I]: ", "Configuration successfully reloaded");
    }

    @Test
    void aBadReloadKeepsTheOldConfigAndLogsCritical() throws IOException {
        Path file = write("config.json", "{\"secret\": \"one\"}");
        AtomicReference<RotorConfig> after = new AtomicReference<>();
        cli.whileRunning = runner -> {
            write(file, "{\"secret\": \"two\", \"namespaces\": [{\"name\": \"x\"}]}");
            runner.reload();
            write(file, "{\"secret\": ");
            runner.reload();
            after.set(runner.config());
        };

        assertThat(cli.run("-c", file.toString())).isZero();

        assertThat(cli.server().reloads).isEmpty();
        assertThat(after.get().node().secret()).isEqualTo("one");
        assertThat(cli.out()).contains("[C]: ").contains("config error: wrong namespace name \u2013 x")
                .contains("Error parsing configuration: While parsing config: ")
                .doesNotContain("Configuration successfully reloaded");
    }

    @Test
    void theWatchdogGivesUpAfterTheTimeoutWithStatusOne() throws IOException {
        Path file = write("config.json", "{}");
        Path pid = dir.resolve("rotor.pid");
        cli.shutdownTimeout = Duration.ofMillis(100);
        cli.onCreate = s -> s.shutdownResult = new CompletableFuture<>(); // never completes
        AtomicInteger stopCode = new AtomicInteger(-1);
        cli.whileRunning = runner -> stopCode.set(runner.stop());

        assertThat(cli.run("-c", file.toString(), "--pid_file", pid.toString())).isEqualTo(1);

        assertThat(stopCode.get()).isEqualTo(1);
        assertThat(pid).doesNotExist();
        assertThat(cli.out()).contains("[F]: ", "Shutdown did not finish within 100 milliseconds");
    }

    @Test
    void anEngineFactoryErrorIsLoggedAsItIs() throws IOException {
        Path file = write("config.json", "{}");
        cli.engines = EngineFactory.of(List.of(new EngineProvider<Void>() {
            @Override
            public String name() {
                return "memory";
            }

            @Override
            public Void config(ConfigValues values) {
                throw new IllegalArgumentException("no luck");
            }

            @Override
            public Engine create(Void config) {
                throw new AssertionError("not reached");
            }
        }));

        assertThat(cli.run("-c", file.toString())).isEqualTo(1);
        assertThat(cli.out()).contains("[F]: ", "Error creating engine: no luck");
    }

    private Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
