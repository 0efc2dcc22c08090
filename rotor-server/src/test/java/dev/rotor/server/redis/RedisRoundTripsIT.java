package dev.rotor.server.redis;

import static dev.rotor.server.redis.RedisNodes.publish;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.TestServer;
import dev.rotor.testkit.redis.RedisExtension;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What Redis does per API publication (docs/scaling.md "Redis round trips"): HTTP API requests of 100 publishes
 * each, with and without history, counted by Redis itself ({@code INFO stats} reads and {@code INFO commandstats}):
 * a request's publications reach Redis in a few reads (one read per publication before they were batched), as one
 * command each, in request order per channel. Counts, never times.
 */
class RedisRoundTripsIT {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    private static final int REQUESTS = 20;
    private static final int PER_REQUEST = 100;
    private static final ChannelOptions HISTORY = ChannelOptions.builder().historySize(10).historyLifetime(60).build();

    private RedisNodes nodes;
    private TestServer node;

    @BeforeEach
    void setUp() throws Exception {
        nodes = new RedisNodes(redis);
        node = nodes.start(NodeConfig.builder().namespace("h", HISTORY));
    }

    @AfterEach
    void tearDown() throws Exception {
        nodes.close();
    }

    @Test
    void aRequestOfPublicationsWithoutHistoryIsOnePublishEachInAFewReads() throws Exception {
        Counts c = measure("plain");

        System.out.println("RedisRoundTripsIT without history: " + c);
        assertThat(c.readsPerRequest()).isLessThanOrEqualTo(4.0); // one read per command before batching
        // PUBLISH and nothing else per publication; a few more PUBLISH are the node's control pings
        assertThat(c.calls("publish")).isBetween((long) c.publications(), c.publications() + 10L);
        assertThat(c.commandsBesides("publish", "ping", "info")).isEmpty();
    }

    @Test
    void aRequestOfPublicationsWithHistoryIsOneScriptEachInAFewReads() throws Exception {
        Counts c = measure("h:hist");

        System.out.println("RedisRoundTripsIT with history: " + c);
        assertThat(c.readsPerRequest()).isLessThanOrEqualTo(8.0); // 33 KB of EVALSHA per request, read 16 KB at a time
        assertThat(c.calls("evalsha")).isEqualTo(c.publications());
        // inside the script: PUBLISH, LPUSH, LTRIM, EXPIRE (no EXISTS: history_drop_inactive is off)
        for (String inside : List.of("lpush", "ltrim", "expire")) {
            assertThat(c.calls(inside)).isEqualTo(c.publications());
        }
        assertThat(c.commandsBesides("evalsha", "publish", "lpush", "ltrim", "expire", "ping", "info")).isEmpty();
        // each channel's history holds the last request's messages of that channel in request order, newest first
        String history = node.api("{\"method\":\"history\",\"params\":{\"channel\":\"h:hist3\"}}").body();
        int last = -1;
        for (int i = PER_REQUEST - 7; i >= 3; i -= 10) {
            int at = history.indexOf("{\"r\":" + (REQUESTS - 1) + ",\"i\":" + i + "}");
            assertThat(at).as("message %d in %s", i, history).isGreaterThan(last);
            last = at;
        }
    }

    private Counts measure(String channelPrefix) throws Exception {
        Map<String, Long> before = stats();
        for (int r = 0; r < REQUESTS; r++) {
            StringJoiner batch = new StringJoiner(",", "[", "]");
            for (int i = 0; i < PER_REQUEST; i++) {
                batch.add(publish(channelPrefix + (i % 10), "{\"r\":" + r + ",\"i\":" + i + "}"));
            }
            String body = node.api(batch.toString()).body();
            assertThat(body).doesNotContain("\"error\":\"");
        }
        Map<String, Long> after = stats();
        Map<String, Long> delta = new HashMap<>();
        after.forEach((k, v) -> delta.put(k, v - before.getOrDefault(k, 0L)));
        return new Counts(REQUESTS * PER_REQUEST, delta);
    }

    /** Reads processed, input bytes and calls per command, as Redis counts them. */
    private static Map<String, Long> stats() {
        Map<String, Long> out = new HashMap<>();
        String info = redis.server().command("INFO", "stats") + redis.server().command("INFO", "commandstats");
        Matcher m = Pattern.compile("(total_reads_processed|total_net_input_bytes):(\\d+)").matcher(info);
        while (m.find()) {
            out.put(m.group(1), Long.parseLong(m.group(2)));
        }
        Matcher c = Pattern.compile("cmdstat_([a-z|]+):calls=(\\d+)").matcher(info);
        while (c.find()) {
            out.put(c.group(1), Long.parseLong(c.group(2)));
        }
        return out;
    }

    /** Per-publication figures from the deltas of one measurement. */
    record Counts(int publications, Map<String, Long> delta) {
        long calls(String command) {
            return delta.getOrDefault(command, 0L);
        }

        /** Reads per API request, not counting PINGs and INFOs (each of them is a read of its own). */
        double readsPerRequest() {
            return (calls("total_reads_processed") - calls("ping") - calls("info")) / (double) REQUESTS;
        }

        /** Commands Redis ran other than {@code expected}. */
        Set<String> commandsBesides(String... expected) {
            Set<String> out = new TreeSet<>();
            delta.forEach((k, v) -> {
                if (!k.startsWith("total_") && v != 0 && !List.of(expected).contains(k)) {
                    out.add(k);
                }
            });
            return out;
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder();
            b.append(String.format("reads/request=%.2f reads/pub=%.4f bytes/pub=%.1f", readsPerRequest(),
                    readsPerRequest() / PER_REQUEST, calls("total_net_input_bytes") / (double) publications));
            new TreeMap<>(delta).forEach((k, v) -> {
                if (!k.startsWith("total_") && v != 0) {
                    b.append(' ').append(k).append("/pub=").append(String.format("%.3f", v / (double) publications));
                }
            });
            return b.toString();
        }
    }
}
