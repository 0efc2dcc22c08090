package dev.rotor.e2e.browser;

import com.fasterxml.jackson.databind.JsonNode;
import dev.rotor.testkit.browser.ChromeBrowser;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One run of {@code browser/scenario.js} in a browser tab: starts it with its parameters and collects the events
 * the page records, polling {@code rotor.take()} through WebDriver. Every wait is bounded; a {@code fail} event from
 * the page or a timeout throws an {@link AssertionError} with the transcript (events and browser console).
 *
 * <p>Confined to the test thread.
 */
final class ScenarioPage {
    private static final Duration POLL = Duration.ofMillis(100);

    private final ChromeBrowser browser;
    /** Every event taken from the page so far, in order. */
    private final List<JsonNode> events = new ArrayList<>();
    /** Console lines read from the browser so far. */
    private final StringBuilder console = new StringBuilder();

    private ScenarioPage(ChromeBrowser browser) {
        this.browser = browser;
    }

    /** Loads the page at {@code url} (a fresh document, so earlier connections are gone) and starts the scenario. */
    static ScenarioPage start(ChromeBrowser browser, String url, Map<String, ?> params) {
        browser.navigate(url);
        ScenarioPage page = new ScenarioPage(browser);
        JsonNode loaded = browser.execute("return typeof window.rotor === 'object' && typeof Centrifuge === 'function'"
                + " && typeof SockJS === 'function';");
        if (!loaded.asBoolean()) {
            throw new AssertionError("the test page did not load its scripts\n" + page.transcript());
        }
        browser.execute("window.rotor.start(arguments[0]);", params);
        return page;
    }

    /** Waits for the first event (taken or still to come) with this name and these field values. */
    JsonNode await(String event, Map<String, String> fields, Duration timeout) {
        Predicate<JsonNode> match = e -> event.equals(e.path("event").asText())
                && fields.entrySet().stream().allMatch(f -> f.getValue().equals(e.path(f.getKey()).asText()));
        return await(event + " " + fields, match, timeout);
    }

    JsonNode await(String description, Predicate<JsonNode> match, Duration timeout) {
        JsonNode[] found = new JsonNode[1];
        try {
            Awaitility.await(description).atMost(timeout).pollInterval(POLL).pollInSameThread().until(() -> {
                poll();
                found[0] = events.stream().filter(match).findFirst().orElse(null);
                return found[0] != null;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + description
                    + "\n" + transcript(), e);
        }
        return found[0];
    }

    /** The events taken so far with this name, in order. */
    List<JsonNode> events(String event) {
        return events.stream().filter(e -> event.equals(e.path("event").asText())).toList();
    }

    /** The events taken so far with this name and {@code who}, in order. */
    List<JsonNode> events(String event, String who) {
        return events(event).stream().filter(e -> who.equals(e.path("who").asText())).toList();
    }

    /** Events and console output so far, for failure messages. */
    String transcript() {
        console.append(browser.consoleLog());
        StringBuilder sb = new StringBuilder("--- page events ---\n");
        events.forEach(e -> sb.append(e).append('\n'));
        return sb.append("--- browser console ---\n").append(console).toString();
    }

    private void poll() {
        for (JsonNode e : browser.execute("return window.rotor.take();")) {
            events.add(e);
            if ("fail".equals(e.path("event").asText())) {
                throw new AssertionError("the browser scenario failed: " + e.path("message").asText() + "\n"
                        + transcript());
            }
        }
    }
}
