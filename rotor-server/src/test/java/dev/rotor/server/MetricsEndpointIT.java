package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rotor.node.NodeConfig;
import dev.rotor.testing.LogCapture;
import dev.rotor.testkit.WsTestClient;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code /metrics} by Prometheus' conventions, checked on a real server's scrape: HELP on every family, counters
 * ending in {@code _total}, latency as histograms, no percentile gauges, no Go names; and the Grafana dashboard and
 * docs/monitoring.md checked against the names really exported.
 */
class MetricsEndpointIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Path DOCS = Path.of("..", "docs");
    /** A metric name in a PromQL expression: the prefixes of every family Rotor exports. */
    private static final Pattern PROMQL_METRIC = Pattern.compile("\\b(?:rotor|jvm|process|system|netty)_[a-z0-9_]+");

    private TestServer server;
    private Map<String, Family> families;

    /** One metric family of the text format: its TYPE, HELP and the names of its samples. */
    record Family(String type, String help, Set<String> samples) {
    }

    @RegisterExtension
    final LogCapture micrometer = new LogCapture("io.micrometer");

    @BeforeEach
    void startAndScrape() throws Exception {
        server = TestServer.start(NodeConfig.builder(), ServerConfig.builder().prometheus(true));
        // one HTTP API request and one client command, so both latency histograms have a sample
        assertThat(server.api("{\"method\":\"channels\"}").statusCode()).isEqualTo(200);
        try (WsTestClient ws = WsTestClient.connect(URI.create(server.wsUrl()), WAIT)) {
            ws.send(server.connectFrame("1", "42", ""));
            assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"");
        }
        families = parse(scrape().body());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> scrape() throws Exception {
        return server.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.server().boundAdminPort() + "/metrics")).GET().build());
    }

    /** Parses the Prometheus text format 0.0.4 into families by name, failing on a sample outside its family. */
    static Map<String, Family> parse(String text) {
        Map<String, String> help = new LinkedHashMap<>();
        Map<String, Family> families = new LinkedHashMap<>();
        String current = null;
        for (String line : text.split("\n")) {
            if (line.startsWith("# HELP ")) {
                String[] parts = line.substring(7).split(" ", 2);
                help.put(parts[0], parts.length > 1 ? parts[1] : "");
            } else if (line.startsWith("# TYPE ")) {
                String[] parts = line.substring(7).split(" ");
                current = parts[0];
                families.put(current, new Family(parts[1], help.getOrDefault(current, ""), new TreeSet<>()));
            } else if (!line.isBlank() && !line.startsWith("#")) {
                String sample = line.split("[{ ]", 2)[0];
                assertThat(current).as("sample %s before any TYPE", sample).isNotNull();
                assertThat(sample).as("sample of family %s", current).startsWith(current);
                families.get(current).samples().add(sample);
            }
        }
        return families;
    }

    private Set<String> sampleNames() {
        Set<String> names = new TreeSet<>();
        families.values().forEach(f -> names.addAll(f.samples()));
        return names;
    }

    @Test
    void everyFamilyHasHelpAndFollowsPrometheusNaming() {
        assertThat(families).hasSizeGreaterThan(40);
        assertThat(families).allSatisfy((name, family) -> {
            assertThat(family.help()).as("HELP of %s", name).isNotBlank();
            assertThat(name).as("family name").matches("[a-z][a-z0-9_]*")
                    .doesNotContain("percentile").doesNotContain("goroutine").doesNotContain("microseconds")
                    .doesNotMatch(".*_(ns|us|ms|nanoseconds|milliseconds|kb|mb)(_.*)?");
            switch (family.type()) {
                case "counter" -> assertThat(name).as("counter").endsWith("_total");
                case "gauge" -> assertThat(name).as("gauge").doesNotEndWith("_count").doesNotEndWith("_total");
                case "histogram" -> assertThat(family.samples()).as("histogram %s", name)
                        .contains(name + "_bucket", name + "_count", name + "_sum");
                // Micrometer timers without buckets (jvm_gc_pause_seconds, after the first collection)
                case "summary" -> assertThat(family.samples()).as("summary %s", name)
                        .containsExactlyInAnyOrder(name + "_count", name + "_sum");
                default -> assertThat(family.type()).as("type of %s", name)
                        .isIn("counter", "gauge", "histogram", "summary");
            }
        });
    }

    /** The meter filters are in place before the first meter registers, so Micrometer has nothing to warn about. */
    @Test
    void theServerStartsAndIsScrapedWithoutAMicrometerWarning() {
        assertThat(micrometer.messages()).isEmpty();
    }

    @Test
    void noPercentileIsPublished() throws Exception {
        assertThat(scrape().body()).doesNotContain("quantile=").doesNotContain("percentile");
    }

    @Test
    void latencyIsPublishedAsHistogramsInSeconds() throws Exception {
        for (String name : List.of("rotor_client_command_duration_seconds",
                "rotor_http_api_request_duration_seconds")) {
            assertThat(families).containsKey(name);
            assertThat(families.get(name).type()).isEqualTo("histogram");
        }
        String body = scrape().body();
        // both got a sample above; the buckets run from 100 µs to 10 s
        assertThat(body).containsPattern("(?m)^rotor_http_api_request_duration_seconds_count [1-9]")
                .containsPattern("(?m)^rotor_client_command_duration_seconds_count [1-9]")
                .contains("rotor_http_api_request_duration_seconds_bucket{le=\"1.0E-4\"}")
                .contains("rotor_http_api_request_duration_seconds_bucket{le=\"10.0\"}")
                .contains("rotor_http_api_request_duration_seconds_bucket{le=\"+Inf\"}");
    }

    @Test
    void nodeCountersCarryBaseUnitsAndLabels() throws Exception {
        String body = scrape().body();
        assertThat(body).containsPattern("(?m)^rotor_http_requests_total\\{endpoint=\"api\"} [1-9]")
                .containsPattern("(?m)^rotor_client_connects_total [1-9]")
                .containsPattern("(?m)^rotor_client_received_bytes_total [1-9]")
                .containsPattern("(?m)^rotor_process_cpu_user_seconds_total [0-9.E]+$")
                .contains("rotor_node_messages_published_total{type=\"join\"}")
                .contains("jvm_threads_live_threads").contains("jvm_memory_used_bytes{area=\"heap\"");
    }

    @Test
    void everyDashboardExpressionNamesExportedMetrics() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(
                DOCS.resolve("grafana").resolve("rotor-dashboard.json").toFile());
        List<String> expressions = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            for (JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        assertThat(expressions).hasSizeGreaterThan(10);
        Set<String> exported = sampleNames();
        for (String expr : expressions) {
            Matcher m = PROMQL_METRIC.matcher(expr);
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group());
            }
            assertThat(names).as("metrics in %s", expr).isNotEmpty();
            assertThat(exported).as("exported by /metrics, used in %s", expr).containsAll(names);
        }
    }

    @Test
    void everyExportedFamilyIsDocumented() throws Exception {
        String docs = Files.readString(DOCS.resolve("monitoring.md"));
        // Rotor's own families exactly; the JVM binders' set varies with the JDK and collector, the docs list the usual
        assertThat(families.keySet()).filteredOn(name -> name.startsWith("rotor_") || name.startsWith("netty_"))
                .isNotEmpty().allSatisfy(name -> assertThat(docs).as("docs/monitoring.md").contains(name));
        // and the alert rules in the docs name real metrics too
        Matcher m = PROMQL_METRIC.matcher(docs.substring(docs.indexOf("## Alert rules")));
        Set<String> exported = sampleNames();
        int found = 0;
        while (m.find()) {
            assertThat(exported).as("alert rules in docs/monitoring.md").contains(m.group());
            found++;
        }
        assertThat(found).isPositive();
    }
}
