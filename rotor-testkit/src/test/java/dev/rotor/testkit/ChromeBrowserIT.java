package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.testkit.browser.ChromeBrowser;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link ChromeBrowser} against Debian's real Chromium: scripts, console capture, errors and a clean shutdown. */
class ChromeBrowserIT {

    @Test
    void runsScriptsInHeadlessChromiumAndCleansUpEverything() {
        ChromeBrowser browser = ChromeBrowser.launch();
        List<ProcessHandle> processes;
        try {
            browser.navigate("data:text/html,<title>t</title><p id=p>hello</p>");
            assertThat(browser.execute("return document.getElementById('p').textContent + arguments[0];", "!")
                    .asText()).isEqualTo("hello!");
            assertThat(browser.executeAsync("var done = arguments[0]; setTimeout(function () { done(6 * 7); }, 50);")
                    .asInt()).isEqualTo(42);
            assertThat(browser.execute("return navigator.userAgent;").asText()).contains("HeadlessChrome");

            browser.execute("console.error('marker-' + 123);");
            assertThat(browser.consoleLog()).contains("marker-123");

            assertThatThrownBy(() -> browser.execute("throw new Error('boom');"))
                    .isInstanceOf(AssertionError.class).hasMessageContaining("boom");

            processes = browser.processes();
            assertThat(processes).as("chromedriver and its browser processes").hasSizeGreaterThan(1);
            assertThat(browser.profileDir()).isDirectory();
        } finally {
            browser.close();
        }
        assertThat(Files.exists(browser.profileDir())).as("profile deleted").isFalse();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(processes).noneMatch(ProcessHandle::isAlive));
    }
}
