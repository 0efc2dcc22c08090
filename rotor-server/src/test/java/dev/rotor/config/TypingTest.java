package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.server.HttpLimitsConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TypingTest {
    @TempDir
    Path dir;

    @Test
    void topLevelReadsAreLenient() throws IOException {
        RotorConfig c = load("""
                {"client_channel_limit": "7", "presence": "true", "publish": "1", "watch": "t", "anonymous": 1,
                 "history_size": 10.9, "port": 8001, "admin": "false", "secret": 12345, "join_leave": "",
                 "history_lifetime": true}
                """);

        assertThat(c.node().clientChannelLimit()).isEqualTo(7);
        assertThat(c.node().topLevel().presence()).isTrue();
        assertThat(c.node().topLevel().publish()).isTrue();
        assertThat(c.node().topLevel().watch()).isTrue();
        assertThat(c.node().topLevel().anonymous()).isTrue();
        assertThat(c.node().topLevel().historySize()).isEqualTo(10);
        assertThat(c.node().topLevel().historyLifetime()).isEqualTo(1);
        assertThat(c.server().port()).isEqualTo("8001");
        assertThat(c.node().admin()).isFalse();
        assertThat(c.node().secret()).isEqualTo("12345");
        assertThat(c.node().topLevel().joinLeave()).isFalse();
    }

    @Test
    void floatPortsAreFormattedLikeGo() throws IOException {
        assertThat(load("{\"port\": 8000.0}").server().port()).isEqualTo("8000");
    }

    @Test
    void nonFiniteNumbersReadAsGoSpellsThem() throws IOException {
        // found by ConfigFuzzTest: "port = inf" threw a NumberFormatException instead of a config error
        assertThat(load("secret = inf\nname = -inf\napi_key = nan\n", "config.toml").node())
                .extracting(n -> n.secret(), n -> n.name(), n -> n.apiKey()).containsExactly("+Inf", "-Inf", "NaN");
        assertThatThrownBy(() -> load("port = inf\n", "config.toml")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("port");
        // Jackson's YAML parser already refuses .inf as a malformed number
        assertThatThrownBy(() -> load("port: .inf\n", "config.yaml")).isInstanceOf(ConfigParseException.class);
    }

    @Test
    void gomaxprocsSetsTheWorkerEventLoops() throws IOException {
        RotorConfig three = load("{\"gomaxprocs\": 3}");
        assertThat(three.gomaxprocs()).isEqualTo(3);
        assertThat(three.server().effectiveEventLoops()).isEqualTo(3);
        // 0 (the default) and negative values: one loop per core, like Go's 0 = all cores
        assertThat(load("{}").server().effectiveEventLoops())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(load("{\"gomaxprocs\": -1}").server().effectiveEventLoops())
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void writeStallTimeoutDefaultsToThirtySecondsAndMustNotBeNegative() throws IOException {
        assertThat(load("{}").server().writeStallTimeout()).isEqualTo(30);
        assertThat(load("{\"write_stall_timeout\": 0}").server().writeStallTimeout()).isZero();
        assertThat(load("{\"write_stall_timeout\": \"5\"}").server().writeStallTimeout()).isEqualTo(5);
        assertThatThrownBy(() -> load("{\"write_stall_timeout\": -1}"))
                .hasMessage("config error: write_stall_timeout: expected 0 (off) or a positive number, got -1");
    }

    @Test
    void nettyTransportDefaultsToAutoAndAnUnknownValueIsAConfigError() throws IOException {
        assertThat(load("{}").server().transport()).isEqualTo(dev.rotor.server.NettyTransport.AUTO);
        assertThat(load("{\"netty_transport\": \"io_uring\"}").server().transport())
                .isEqualTo(dev.rotor.server.NettyTransport.IO_URING);
        assertThat(load("{\"netty_transport\": \" NIO \"}").server().transport())
                .isEqualTo(dev.rotor.server.NettyTransport.NIO);
        assertThat(load("netty_transport = \"epoll\"\n", "config.toml").server().transport())
                .isEqualTo(dev.rotor.server.NettyTransport.EPOLL);
        assertThatThrownBy(() -> load("{\"netty_transport\": \"iouring\"}")).isInstanceOf(ConfigException.class)
                .hasMessage("config error: netty_transport: expected one of auto, epoll, io_uring, nio, got \"iouring\"");
    }

    @Test
    void adminAuthThrottleOptionsReachTheServerConfigAndAreChecked() throws IOException {
        assertThat(load("{}").server().loginThrottle()).isEqualTo(
                dev.rotor.server.admin.LoginThrottleConfig.builder().build());
        var t = load("{\"admin_auth_delay_ms\": 50, \"admin_auth_max_delay_ms\": 400,"
                + " \"admin_auth_max_failures_per_second\": 3}").server().loginThrottle();
        assertThat(t.firstDelayMillis()).isEqualTo(50);
        assertThat(t.maxDelayMillis()).isEqualTo(400);
        assertThat(t.failuresPerSecond()).isEqualTo(3);
        for (String bad : new String[] {"{\"admin_auth_delay_ms\": 20000}", "{\"admin_auth_max_delay_ms\": 3600001}",
            "{\"admin_auth_max_failures_per_second\": 0}", "{\"admin_auth_delay_ms\": -1}"}) {
            assertThatThrownBy(() -> load(bad)).as(bad).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("admin_auth_");
        }
    }

    @Test
    void nullMeansUnset() throws IOException {
        assertThat(load("{\"client_channel_limit\": null}").node().clientChannelLimit()).isEqualTo(128);
    }

    @Test
    void unconvertibleValuesNameTheKeyAndTheSource() throws IOException {
        assertThatThrownBy(() -> load("{\"client_channel_limit\": \"lots\"}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config error: client_channel_limit: expected an integer, got \"lots\" (from config file)");
        assertThatThrownBy(() -> load("{\"presence\": \"yes\"}"))
                .hasMessage("config error: presence: expected a boolean, got \"yes\" (from config file)");
        assertThatThrownBy(() -> load("{\"secret\": [1, 2]}"))
                .hasMessage("config error: secret: expected a string, got array (from config file)");
        assertThatThrownBy(() -> load("{\"history_size\": 3000000000}"))
                .hasMessageStartingWith("config error: history_size: value 3000000000 is out of range");

        Path empty = dir.resolve("none.json");
        assertThatThrownBy(() -> new ConfigLoader(empty, Map.of("CENTRIFUGO_HISTORY_SIZE", "x"), Map.of()).load())
                .hasMessage("config error: history_size: expected an integer, got \"x\" "
                        + "(from environment variable CENTRIFUGO_HISTORY_SIZE)");
    }

    @Test
    void portsMustBeNumbers() throws IOException {
        assertThatThrownBy(() -> load("{\"port\": \"http\"}"))
                .hasMessage("config error: port: expected a port number from 0 to 65535, got \"http\"");
        assertThatThrownBy(() -> load("{\"api_port\": \"70000\"}"))
                .hasMessageStartingWith("config error: api_port:");
        assertThat(load("{\"admin_port\": \"\"}").server().effectiveAdminPort()).isEqualTo("8000");
    }

    @Test
    void sslNeedsCertificateAndKeyUnlessAutocert() throws IOException {
        assertThatThrownBy(() -> load("{\"ssl\": true, \"ssl_cert\": \"c.pem\"}"))
                .hasMessageStartingWith("config error: ssl:");
        assertThat(load("{\"ssl\": true, \"ssl_autocert\": true}").autocert().enabled()).isTrue();
    }

    @Test
    void compressionLevelMustBeADeflateLevel() throws IOException {
        assertThatThrownBy(() -> load("{\"websocket_compression_level\": 10}"))
                .hasMessageStartingWith("config error: websocket_compression_level:");
        assertThat(load("{\"websocket_compression_level\": -2}").server().websocketCompressionLevel()).isEqualTo(-2);
    }

    @Test
    void httpLimitsAreReadWithTheirDefaultsAndValidated() throws IOException {
        assertThat(load("{}").server().http()).isEqualTo(HttpLimitsConfig.defaults());
        HttpLimitsConfig http = load("{\"http_read_header_timeout\": 3, \"http_idle_timeout\": 0,"
                + " \"http_read_body_timeout\": \"7\", \"http_max_header_size\": 4096, \"http_max_url_length\": 2048,"
                + " \"http_max_body_size\": 1048576, \"http_body_budget\": 8589934592}").server().http();
        assertThat(http).isEqualTo(new HttpLimitsConfig(3, 0, 7, 4096, 2048, 1048576, 8589934592L));
        assertThatThrownBy(() -> load("{\"http_idle_timeout\": -1}"))
                .hasMessageStartingWith("config error: http_idle_timeout:");
        assertThatThrownBy(() -> load("{\"http_max_body_size\": -1}"))
                .hasMessageStartingWith("config error: http_max_body_size:");
        assertThatThrownBy(() -> load("{\"http_body_budget\": -5}"))
                .hasMessageStartingWith("config error: http_body_budget:");
    }

    @Test
    void theClientQueueBudgetIsBytesAndNotNegative() throws IOException {
        assertThat(load("{}").node().clientQueueBudget()).isZero(); // a quarter of the heap, resolved by the node
        assertThat(load("{\"client_queue_budget\": 8589934592}").node().clientQueueBudget()).isEqualTo(8589934592L);
        assertThatThrownBy(() -> load("{\"client_queue_budget\": -1}"))
                .hasMessage("config error: client_queue_budget: expected 0 (a quarter of the heap) or a positive "
                        + "number of bytes, got -1");
    }

    @Test
    void theAutomaticBodyBudgetIsAQuarterOfTheSmallerMemoryLimit() {
        long budget = HttpLimitsConfig.defaults().effectiveBodyBudget();
        assertThat(budget).isEqualTo(HttpLimitsConfig.defaultBodyBudget())
                .isLessThanOrEqualTo(Runtime.getRuntime().maxMemory() / 4).isGreaterThanOrEqualTo(1L << 20);
        assertThat(HttpLimitsConfig.builder().bodyBudget(12345).build().effectiveBodyBudget()).isEqualTo(12345);
    }

    @Test
    void sockjsMaxSessionsIsAutomaticByDefaultAndMustNotBeNegative() throws IOException {
        assertThat(load("{}").server().sockjsMaxSessions()).isZero();
        assertThat(load("{}").server().effectiveSockjsMaxSessions())
                .isEqualTo(dev.rotor.server.ServerConfig.defaultSockjsMaxSessions()).isGreaterThanOrEqualTo(1024);
        assertThat(load("{\"sockjs_max_sessions\": 50}").server().effectiveSockjsMaxSessions()).isEqualTo(50);
        assertThatThrownBy(() -> load("{\"sockjs_max_sessions\": -1}"))
                .hasMessageStartingWith("config error: sockjs_max_sessions:");
    }

    @Test
    void theAutomaticMaxBodySizeFitsTheHeapAndTheBudget() {
        int max = HttpLimitsConfig.defaults().effectiveMaxBodySize();
        assertThat(max).isEqualTo(HttpLimitsConfig.defaultMaxBodySize())
                .isLessThanOrEqualTo(64 << 20)
                .isLessThanOrEqualTo((int) Math.max(64 << 10, Runtime.getRuntime().maxMemory() / 16))
                .isLessThanOrEqualTo((int) Math.max(64 << 10, HttpLimitsConfig.defaultBodyBudget()))
                .isGreaterThanOrEqualTo(64 << 10);
        assertThat(HttpLimitsConfig.builder().maxBodySize(12345).build().effectiveMaxBodySize()).isEqualTo(12345);
    }

    @Test
    void namespaceValuesOfTheRightTypeAreDecoded() throws IOException {
        RotorConfig c = load("""
                {"namespaces": [{"name": "ns", "history_size": 10, "history_lifetime": 30.7, "publish": true,
                                 "presence": null, "JOIN_LEAVE": true, "unknown_option": 5}]}
                """);

        assertThat(c.node().namespaces().get("ns")).isEqualTo(ChannelOptions.builder().historySize(10)
                .historyLifetime(30).publish(true).joinLeave(true).build());
    }

    @Test
    void namespaceValuesOfTheWrongTypeAreRefusedLikeTopLevelOnes() {
        assertThatThrownBy(() -> load("{\"namespaces\": [{\"name\": \"chat\", \"history_size\": \"10\"}]}"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("config error: history_size: expected an integer, got \"10\" (in namespace \"chat\" of "
                        + "the config file)");
        assertThatThrownBy(() -> load("{\"namespaces\": [{\"name\": \"chat\", \"presence\": \"true\"}]}"))
                .hasMessage("config error: presence: expected a boolean, got \"true\" (in namespace \"chat\" of "
                        + "the config file)");
        assertThatThrownBy(() -> load("{\"namespaces\": [{\"name\": \"chat\", \"publish\": 1}]}"))
                .hasMessage("config error: publish: expected a boolean, got 1 (in namespace \"chat\" of the config "
                        + "file)");
        assertThatThrownBy(() -> load("{\"namespaces\": [{\"name\": \"chat\", \"recover\": [true]}]}"))
                .hasMessage("config error: recover: expected a boolean, got array (in namespace \"chat\" of the "
                        + "config file)");
        assertThatThrownBy(() -> load("{\"namespaces\": [{\"name\": \"chat\", \"history_size\": 1e20}]}"))
                .hasMessage("config error: history_size: value 1.0E20 is out of range (in namespace \"chat\" of the "
                        + "config file)");
        assertThatThrownBy(() -> load("[[namespaces]]\nname = \"chat\"\nhistory_lifetime = \"60\"\n", "config.toml"))
                .hasMessageContaining("history_lifetime: expected an integer, got \"60\"");
    }

    @Test
    void namespacesDoNotInheritTopLevelOptions() throws IOException {
        RotorConfig c = load("{\"publish\": true, \"history_size\": 3, \"namespaces\": [{\"name\": \"ns\"}]}");

        assertThat(c.node().namespaces().get("ns")).isEqualTo(ChannelOptions.NONE);
        assertThat(c.node().channelOptions("ns:room")).isEqualTo(ChannelOptions.NONE);
        assertThat(c.node().channelOptions("room").publish()).isTrue();
    }

    @Test
    void namespacesGivenAsAJsonStringAreDecoded() throws IOException {
        RotorConfig c = load("namespaces: '[{\"name\": \"ns\", \"publish\": true}]'\n", "config.yaml");

        assertThat(c.node().namespaces().get("ns").publish()).isTrue();
    }

    @Test
    void namespacesMustBeAListOfMaps() throws IOException {
        assertThatThrownBy(() -> load("{\"namespaces\": 5}"))
                .hasMessage("config error: namespaces: expected a list of namespaces, got number");
        assertThatThrownBy(() -> load("{\"namespaces\": [\"ns\"]}"))
                .hasMessage("config error: namespaces: every namespace must be a map of options, got string");
    }

    private RotorConfig load(String json) throws IOException {
        return load(json, "config.json");
    }

    private RotorConfig load(String text, String name) throws IOException {
        Path file = Files.writeString(dir.resolve(name), text);
        return new ConfigLoader(file, Map.of(), Map.of(), () -> "h").load().config();
    }
}
