package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ServerConfig;
import dev.rotor.testkit.NodeScript;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedded admin web interface (docs/admin.md) in headless Chromium against a real server: login, the live
 * status page, Actions reaching a real {@code centrifuge@1.5.0} client, the watch stream, presence on the Channels
 * page, the reconnecting indicator, {@code insecure_admin}, {@code web_path} replacing the interface, and
 * {@code http_prefix} with a separate {@code admin_port}. One browser per class, one server per test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminWebIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration SCRIPT_WAIT = Duration.ofSeconds(60);

    private ChromeBrowser browser;
    /** Per test; null between tests. */
    private AdminWebPage page;

    @TempDir
    Path dir;

    @BeforeAll
    void launchBrowser() {
        browser = ChromeBrowser.launch();
    }

    @AfterAll
    void closeBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    @AfterEach
    void stopServer() throws Exception {
        if (page != null) {
            page.close();
            page = null;
        }
    }

    private AdminWebPage start(NodeConfig node, ServerConfig.Builder config) throws Exception {
        page = AdminWebPage.start(browser, node, config);
        return page;
    }

    @Test
    void aWrongPasswordIsRefusedAndSaysSo() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        page.open();
        page.awaitVisible("login");

        page.logIn("not-the-password");

        page.awaitText("login-error", "Wrong password.");
        assertThat(page.run("return document.getElementById('app').hidden").asBoolean()).isTrue();
        assertThat(page.run("return sessionStorage.length").asInt()).isZero();
    }

    @Test
    void theRightPasswordShowsThisNodeAndAChartThatGainsPoints() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        page.openAndLogIn();

        page.awaitText("node-name", AdminWebPage.NODE_NAME);
        page.awaitText("nodes", AdminWebPage.NODE_NAME + " (this node)");
        page.await("the clients chart drawn by uPlot", "document.querySelectorAll('#chart-clients canvas').length > 0");
        int points = page.run("return +document.getElementById('chart-clients').dataset.points").asInt();
        page.await("two more points", "+document.getElementById('chart-clients').dataset.points >= " + (points + 2));
        assertThat(page.run("return document.getElementById('conn').textContent").asText()).isEqualTo("online");
        page.assertNoConsoleErrors();

        // logout forgets the token: a reload asks for the password again
        page.click("logout");
        page.awaitVisible("login");
        assertThat(page.run("return sessionStorage.length").asInt()).isZero();
        page.open();
        page.awaitVisible("login");
    }

    @Test
    void theStatusPageFitsAPhoneWidth() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        page.openAndLogIn();
        browser.devTools("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", 360)
                .put("height", 740).put("deviceScaleFactor", 1).put("mobile", true));
        try {
            page.await("the charts drawn", "document.querySelectorAll('#chart-memory canvas').length > 0");
            page.await("the charts resized to the width", "document.querySelector('#chart-memory canvas')"
                    + ".getBoundingClientRect().right <= innerWidth");
            // nothing wider than the screen: the nodes table scrolls inside its own box
            assertThat(page.run("return document.documentElement.scrollWidth <= innerWidth").asBoolean()).isTrue();
        } finally {
            browser.devTools("Emulation.clearDeviceMetricsOverride", JSON.createObjectNode());
        }
    }

    @Test
    void aLostSocketShowsTheReconnectingIndicator() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        page.openAndLogIn();
        page.awaitText("conn", "online");

        page.stopServer();

        page.awaitVisible("banner");
        page.awaitText("banner", "Connection to the server lost");
        page.awaitText("conn", "reconnecting");
        assertThat(page.run("return document.getElementById('app').hidden").asBoolean()).isFalse();
    }

    @Test
    void aPublishFromTheActionsPageReachesARealV1Client() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        Map<String, Object> params = page.clientParams("alice");
        params.put("channel", "news");
        try (NodeScript client = NodeScript.start("scenarios/subscribe.js", params)) {
            client.awaitEvent("subscribe", SCRIPT_WAIT);
            page.openAndLogIn();
            page.go("actions");
            page.setValue("act-method", "publish");
            page.setValue("act-channel", "news");

            // invalid JSON is refused in the page, and nothing is sent
            page.setValue("act-data", "{\"from\": ");
            page.awaitText("act-data-error", "Not valid JSON");
            page.click("act-send");
            page.awaitText("act-error", "Fix the JSON data first.");
            assertThat(page.text("act-reply")).isEqualTo("—");

            page.setValue("act-data", "{\"from\": \"the admin page\"}");
            page.click("act-send");
            page.awaitText("act-reply", "\"method\": \"publish\"");
            JsonNode reply = JSON.readTree(page.text("act-reply"));
            assertThat(reply.get("error").isNull()).as("reply %s", reply).isTrue();

            client.awaitSuccess(SCRIPT_WAIT);
            JsonNode message = client.events("message").get(0).path("body");
            assertThat(message.path("channel").asText()).isEqualTo("news");
            assertThat(message.path("data")).isEqualTo(JSON.readTree("{\"from\":\"the admin page\"}"));
            assertThat(page.text("conn")).isEqualTo("online");
        }
    }

    @Test
    void aMessagePublishedThroughTheApiIntoAWatchedNamespaceAppearsOnTheMessagesPage() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        page.openAndLogIn();
        page.go("messages");
        page.awaitVisible("msg-empty");

        page.api.publish("watched:room", "{\"text\":\"seen by the admin\"}");
        page.api.publish("elsewhere", "{\"text\":\"not watched\"}");

        page.awaitText("msg-list", "watched:room");
        page.awaitText("msg-list", "\"text\": \"seen by the admin\"");
        assertThat(page.text("msg-list")).doesNotContain("not watched");
        assertThat(page.run("return document.getElementById('msg-empty').hidden").asBoolean()).isTrue();

        page.setValue("msg-filter", "nothing-matches");
        page.awaitText("msg-empty", "No message matches the filter.");
        page.click("msg-clear");
        page.awaitText("msg-count", "0 kept");
    }

    @Test
    void presenceOfAConnectedClientShowsOnTheChannelsPage() throws Exception {
        start(AdminWebPage.node().build(), ServerConfig.builder());
        Map<String, Object> params = page.clientParams("bob");
        params.put("channel", "watched:lobby");
        try (NodeScript client = NodeScript.start("scenarios/subscribe.js", params)) {
            client.awaitEvent("subscribe", SCRIPT_WAIT);
            String clientId = client.events("connect").get(0).path("client").asText();
            page.openAndLogIn();
            page.go("channels");
            page.awaitText("ch-table", "watched:lobby");
            page.await("a subscriber count of 1", "[...document.querySelectorAll('#ch-table tbody tr')]"
                    + ".some(r => r.textContent === 'watched:lobby1')");

            page.run("[...document.querySelectorAll('#ch-table button')].find(b => b.textContent === "
                    + "'watched:lobby').click()");
            page.awaitVisible("ch-detail");
            page.awaitText("ch-presence", clientId);
            assertThat(page.text("ch-presence")).contains("bob");

            page.setValue("ch-filter", "no-such-channel");
            page.awaitText("ch-empty", "No channel matches the filter.");
        }
    }

    @Test
    void insecureAdminLogsInWithoutAPassword() throws Exception {
        start(NodeConfig.builder().name(AdminWebPage.NODE_NAME).secret(AdminWebPage.SECRET).insecureAdmin(true)
                .build(), ServerConfig.builder());
        page.open();

        page.awaitVisible("app");
        page.awaitText("node-name", AdminWebPage.NODE_NAME);
        assertThat(page.run("return document.getElementById('login').hidden").asBoolean()).isTrue();
    }

    @Test
    void withWebPathItsFilesAreServedInstead() throws Exception {
        Path web = Files.createDirectories(dir.resolve("web"));
        Files.writeString(web.resolve("index.html"), "<!DOCTYPE html><title>custom interface</title><p>custom</p>");
        start(AdminWebPage.node().build(), ServerConfig.builder().webPath(web.toString()));
        page.open();

        page.await("the custom page", "document.title === 'custom interface'");
        assertThat(page.run("return document.getElementById('login')").isNull()).isTrue();
        HttpResponse<String> embedded = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(page.url() + "assets/")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(embedded.statusCode()).isEqualTo(404);
    }

    @Test
    void theInterfaceWorksUnderHttpPrefixOnASeparateAdminPort() throws Exception {
        int adminPort;
        try (ServerSocket s = new ServerSocket(0)) {
            adminPort = s.getLocalPort();
        }
        start(AdminWebPage.node().build(), ServerConfig.builder().httpPrefix("/rotor")
                .adminPort(Integer.toString(adminPort)));
        assertThat(page.url()).isEqualTo("http://127.0.0.1:" + adminPort + "/rotor/");
        // the bare prefix redirects to the page
        browser.navigate("http://127.0.0.1:" + adminPort + "/rotor");
        page.awaitVisible("login");
        page.logIn(AdminWebPage.PASSWORD);
        page.awaitVisible("app");
        page.awaitText("node-name", AdminWebPage.NODE_NAME);
        page.await("a chart point", "+document.getElementById('chart-cpu').dataset.points >= 2");

        page.go("actions");
        page.setValue("act-method", "stats");
        page.click("act-send");
        page.awaitText("act-reply", "\"metrics_interval\"");
        assertThat(page.text("act-reply")).contains(AdminWebPage.NODE_NAME);
        page.assertNoConsoleErrors();
    }
}
