package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.server.ServerConfig;
import dev.rotor.testkit.NodeScript;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Not a test: writes the screenshots of docs/admin.md, one PNG per page, into the directory named by the system
 * property {@value #PROPERTY}. Runs only when that property is set: {@code bin/screenshots} names docs/admin,
 * {@code bin/test} names a directory under target/, so CI runs it (each page must render what it waits for) without
 * rewriting the committed pictures; a bare {@code mvn verify} skips it. A real server gets a little traffic (three v1
 * clients, a publish every 200 ms into a watched channel) so the charts and lists have something to show.
 */
@EnabledIfSystemProperty(named = AdminScreenshotsIT.PROPERTY, matches = ".+")
class AdminScreenshotsIT {
    static final String PROPERTY = "rotor.screenshots";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writeScreenshotsOfEveryPage() throws Exception {
        Path out = Files.createDirectories(Path.of(System.getProperty(PROPERTY)));
        List<NodeScript> clients = new ArrayList<>();
        ScheduledExecutorService traffic = Executors.newSingleThreadScheduledExecutor();
        try (ChromeBrowser browser = ChromeBrowser.launch();
                AdminWebPage page = AdminWebPage.start(browser, AdminWebPage.node().build(), ServerConfig.builder())) {
            browser.windowSize(1280, 1400);
            for (String user : List.of("alice", "bob", "carol")) {
                Map<String, Object> params = page.clientParams(user);
                params.put("channel", "watched:lobby");
                params.put("count", 100_000);
                params.put("timeoutMs", 600_000);
                params.put("waitMs", 600_000);
                NodeScript client = NodeScript.start("scenarios/subscribe.js", params);
                clients.add(client);
                client.awaitEvent("subscribe", Duration.ofSeconds(60));
            }
            AtomicInteger n = new AtomicInteger();
            traffic.scheduleAtFixedRate(() -> {
                int i = n.incrementAndGet();
                page.api.publish("watched:lobby", "{\"text\":\"message " + i + "\",\"n\":" + i + "}");
                if (i % 5 == 0) {
                    page.api.publish("watched:orders", "{\"order\":" + i + ",\"status\":\"shipped\"}");
                }
            }, 0, 200, TimeUnit.MILLISECONDS);

            page.open();
            page.awaitVisible("login");
            shoot(browser, out, "login");
            page.logIn(AdminWebPage.PASSWORD);
            page.awaitVisible("app");
            page.await("20 s of chart points", "+document.getElementById('chart-clients').dataset.points >= 10");
            shoot(browser, out, "status");

            page.go("channels");
            page.await("the subscriber count", "document.getElementById('ch-table').textContent"
                    + ".indexOf('watched:lobby3') >= 0");
            page.run("[...document.querySelectorAll('#ch-table button')].find(b => b.textContent === "
                    + "'watched:lobby').click()");
            page.awaitText("ch-presence", "carol");
            shoot(browser, out, "channels");

            page.go("messages");
            page.awaitText("msg-list", "watched:orders");
            page.click("msg-pause");
            shoot(browser, out, "messages");

            page.go("actions");
            page.setValue("act-channel", "watched:lobby");
            page.setValue("act-data", "{\n  \"text\": \"hello from the admin page\",\n  \"priority\": 1\n}");
            page.click("act-send");
            page.awaitText("act-reply", "\"error\": null");
            shoot(browser, out, "actions");

            ObjectNode dark = JSON.createObjectNode();
            dark.putArray("features").addObject().put("name", "prefers-color-scheme").put("value", "dark");
            browser.devTools("Emulation.setEmulatedMedia", dark);
            page.go("status");
            page.await("the charts redrawn", "document.querySelectorAll('#chart-cpu canvas').length > 0");
            shoot(browser, out, "status-dark");

            browser.devTools("Emulation.setDeviceMetricsOverride", JSON.createObjectNode().put("width", 390)
                    .put("height", 1400).put("deviceScaleFactor", 1).put("mobile", true));
            page.go("status");
            Thread.sleep(500); // one layout pass for the charts' resize observer; only a picture depends on it
            shoot(browser, out, "status-phone");
            browser.devTools("Emulation.clearDeviceMetricsOverride", JSON.createObjectNode());
        } finally {
            traffic.shutdownNow();
            clients.forEach(NodeScript::close);
        }
    }

    private static void shoot(ChromeBrowser browser, Path dir, String name) throws IOException {
        byte[] png = browser.screenshot();
        assertThat(png).as(name).startsWith(0x89, 'P', 'N', 'G');
        Files.write(dir.resolve(name + ".png"), png);
    }
}
