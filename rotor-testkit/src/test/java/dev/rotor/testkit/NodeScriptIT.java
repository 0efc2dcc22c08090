package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Proves the npm install of the JavaScript harness and the {@link NodeScript} runner itself. */
class NodeScriptIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void harnessLoadsTheRealV1ClientUnderNode() {
        try (NodeScript script = NodeScript.start("scenarios/selftest.js", Map.of())) {
            List<JsonNode> events = script.awaitSuccess(TIMEOUT);

            JsonNode loaded = events.get(0);
            assertThat(loaded.path("event").asText()).isEqualTo("loaded");
            assertThat(loaded.path("centrifugeVersion").asText()).isEqualTo("1.5.0");
            assertThat(loaded.path("constructor").asText()).isEqualTo("function");
            assertThat(loaded.path("websocketSupported").asBoolean()).isTrue();
            assertThat(loaded.path("xmlHttpRequest").asText()).isEqualTo("function");
            assertThat(events.get(events.size() - 1).path("event").asText()).isEqualTo("done");
        }
    }

    @Test
    void harnessDirectoryHoldsTheLockedDependencies() {
        assertThat(NodeScript.harnessDir().resolve("package-lock.json")).isRegularFile();
        assertThat(NodeScript.harnessDir().resolve("node_modules/ws/package.json")).isRegularFile();
    }

    @Test
    void commandsWrittenToStdinReachTheScript() {
        try (NodeScript script = NodeScript.start("scenarios/selftest.js", Map.of("waitCommand", "go"))) {
            script.awaitEvent("loaded", TIMEOUT);
            script.send("go");

            JsonNode ack = script.awaitEvent("acknowledged", TIMEOUT);
            assertThat(ack.path("name").asText()).isEqualTo("go");
            script.awaitSuccess(TIMEOUT);
            assertThat(script.events("command")).hasSize(1);
        }
    }

    @Test
    void failingScriptIsReportedWithItsMessage() {
        try (NodeScript script = NodeScript.start("scenarios/selftest.js", Map.of("fail", "deliberate failure"))) {
            assertThatThrownBy(() -> script.awaitSuccess(TIMEOUT))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("exit code 1")
                    .hasMessageContaining("deliberate failure");
            assertThat(script.events("fail")).singleElement()
                    .satisfies(e -> assertThat(e.path("message").asText()).isEqualTo("deliberate failure"));
        }
    }

    @Test
    void scriptThatOutlivesTheTimeoutIsKilled() {
        try (NodeScript script = NodeScript.start("scenarios/selftest.js",
                Map.of("hang", true, "timeoutMs", 60_000))) {
            script.awaitEvent("loaded", TIMEOUT);

            assertThatThrownBy(() -> script.awaitExit(Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("was killed");
            assertThatThrownBy(() -> script.awaitEvent("done", Duration.ofSeconds(5)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("ended without");
        }
    }

    @Test
    void awaitingAnEventThatNeverComesTimesOut() {
        try (NodeScript script = NodeScript.start("scenarios/selftest.js",
                Map.of("hang", true, "timeoutMs", 60_000))) {
            assertThatThrownBy(() -> script.awaitEvent("never", Duration.ofMillis(300)))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("Timed out after 300 ms waiting for event \"never\"");
        }
    }
}
