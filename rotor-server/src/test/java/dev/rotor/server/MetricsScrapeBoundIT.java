package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.node.NodeConfig;
import dev.rotor.testkit.RawHttp;
import io.micrometer.core.instrument.Gauge;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A peer hammering {@code /metrics} (docs/security.md, "A peer hammering /metrics"): however many requests it
 * pipelines on however many connections, renders are spaced by {@code ScrapePacer.GAP_MILLIS}, so their number is
 * bounded by the time taken, not by the requests; every request is still answered, in order, and other clients are
 * served meanwhile. And a scrape is never older than its request: scrape, act, scrape sees the act. Before, every
 * request rendered anew on its connection's event loop (here 80 renders in a fraction of a second).
 */
class MetricsScrapeBoundIT {
    private static final int CONNECTIONS = 4;
    /** Requests pipelined on each connection; every fifth is {@code /health}, to check the order of the answers. */
    private static final int REQUESTS = 25;
    private static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(100); // ScrapePacer.GAP_MILLIS
    private static final Pattern API_REQUESTS =
            Pattern.compile("(?m)^rotor_http_requests_total\\{endpoint=\"api\"} (\\S+)$");

    private TestServer server;
    /** Counts the registry's renders: Micrometer reads each gauge once per scrape. Held: Micrometer holds it weakly. */
    private final AtomicInteger renders = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        server = TestServer.start(NodeConfig.builder(), ServerConfig.builder().prometheus(true));
        Gauge.builder("test.renders", renders, AtomicInteger::incrementAndGet)
                .register(server.server().meterRegistry());
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private static boolean isHealth(int request) {
        return request % 5 == 4;
    }

    @Test
    void pipelinedRequestsOnSeveralConnectionsRenderAtMostOncePerGap() throws Exception {
        int port = server.server().boundAdminPort();
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < REQUESTS; i++) {
            batch.append("GET ").append(isHealth(i) ? "/health" : "/metrics")
                    .append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        }
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int c = 0; c < CONNECTIONS; c++) {
                Socket socket = new Socket("127.0.0.1", port);
                socket.setSoTimeout(10_000);
                sockets.add(socket);
            }
            int before = renders.get();
            long started = System.nanoTime();
            for (Socket socket : sockets) { // about 1 KB each: the socket buffers take it all at once
                socket.getOutputStream().write(batch.toString().getBytes(StandardCharsets.US_ASCII));
                socket.getOutputStream().flush();
            }

            // another client, meanwhile: its /health does not wait for any render
            long asked = System.nanoTime();
            HttpResponse<String> health = server.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).timeout(Duration.ofSeconds(5)).GET().build());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).as("the other client's wait")
                    .isLessThan(Duration.ofSeconds(2));

            for (Socket socket : sockets) {
                InputStream in = socket.getInputStream();
                for (int i = 0; i < REQUESTS; i++) {
                    String head = RawHttp.readHead(in);
                    assertThat(head).as("answer %d", i).startsWith("HTTP/1.1 200");
                    Matcher length = Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
                    assertThat(length.find()).as(head).isTrue();
                    String body = new String(in.readNBytes(Integer.parseInt(length.group(1))),
                            StandardCharsets.UTF_8);
                    if (isHealth(i)) {
                        assertThat(body).as("answer %d, in request order", i).isEqualTo("{\"status\":\"ok\"}");
                    } else {
                        assertThat(body).as("answer %d, in request order", i).contains("# HELP rotor_node_clients");
                    }
                }
            }
            long elapsed = System.nanoTime() - started;
            int made = renders.get() - before;
            // render n+1 starts at least the gap after render n ended
            assertThat(made).as("renders for %d requests in %d ms", CONNECTIONS * REQUESTS * 4 / 5,
                    TimeUnit.NANOSECONDS.toMillis(elapsed)).isPositive()
                    .isLessThanOrEqualTo((int) (elapsed / GAP_NANOS) + 1);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void aScrapeRightAfterAnActionSeesIt() throws Exception {
        double api = apiRequests(scrape());
        for (int i = 1; i <= 3; i++) { // back to back, each within the gap of the previous render
            assertThat(server.api("{\"method\":\"channels\"}").statusCode()).isEqualTo(200);
            String scrape = scrape();
            assertThat(apiRequests(scrape)).isEqualTo(api + i);
            // its own request is counted before its render, the render when done
            assertThat(scrape).contains("rotor_metrics_requests_total " + (i + 1) + ".0")
                    .contains("rotor_metrics_renders_total " + i + ".0");
        }
    }

    private String scrape() throws Exception {
        return server.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.server().boundAdminPort()
                + "/metrics")).timeout(Duration.ofSeconds(5)).GET().build()).body();
    }

    private static double apiRequests(String scrape) {
        Matcher m = API_REQUESTS.matcher(scrape);
        assertThat(m.find()).as("the API request counter in %s", scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
