package dev.rotor.server.redis;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the failover chaos suite counts: every publication attempted (its number {@code n} and when it was sent), those
 * the API acknowledged, and, per subscriber, every frame it received. {@link #tally} turns them into the counts of
 * docs/scaling.md. Thread-safe: the publisher and the subscribers record concurrently; tally after they stopped.
 */
final class ChaosLedger {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** n → System.nanoTime() when its publish request was sent. */
    private final Map<Integer, Long> sent = new ConcurrentHashMap<>();
    private final Set<Integer> acknowledged = ConcurrentHashMap.newKeySet();
    private final List<Subscriber> subscribers = Collections.synchronizedList(new ArrayList<>());
    /** Fault phases in order: name and start (System.nanoTime()). */
    private final List<Map.Entry<String, Long>> phases = new java.util.concurrent.CopyOnWriteArrayList<>(
            List.of(Map.entry("steady", Long.MIN_VALUE)));

    /** Starts a phase: publications sent from now on count under {@code name} (until the next phase). */
    void phase(String name) {
        phases.add(Map.entry(name, System.nanoTime()));
    }

    private String phaseOf(long sentAt) {
        String name = phases.get(0).getKey();
        for (Map.Entry<String, Long> p : phases) {
            if (p.getValue() <= sentAt) {
                name = p.getKey();
            }
        }
        return name;
    }

    /**
     * Per fault phase (publications by the time they were sent): published, acknowledged, and per subscriber owed,
     * delivered, signalled lost, silently lost; a Markdown table. Phases of the same name add up.
     */
    String phaseTable() {
        Map<String, int[]> rows = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, Long> p : phases) {
            rows.putIfAbsent(p.getKey(), new int[6]);
        }
        for (Map.Entry<Integer, Long> e : sent.entrySet()) {
            int[] r = rows.get(phaseOf(e.getValue()));
            r[0]++;
            if (acknowledged.contains(e.getKey())) {
                r[1]++;
            }
        }
        List<Subscriber> subs;
        synchronized (subscribers) {
            subs = List.copyOf(subscribers);
        }
        for (Subscriber s : subs) {
            synchronized (s) {
                for (int n : acknowledged) {
                    long at = sent.get(n);
                    if (at < s.firstReply) {
                        continue;
                    }
                    int[] r = rows.get(phaseOf(at));
                    r[2]++;
                    if (s.received.contains(n)) {
                        r[3]++;
                    } else if (s.resyncs.stream().anyMatch(x -> x > at)) {
                        r[4]++;
                    } else {
                        r[5]++;
                    }
                }
            }
        }
        StringBuilder b = new StringBuilder("| phase | published | acknowledged | owed | delivered | signalled lost "
                + "| silently lost |\n");
        rows.forEach((name, r) -> b.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d |%n",
                name, r[0], r[1], r[2], r[3], r[4], r[5])));
        return b.toString();
    }

    void sending(int n) {
        sent.put(n, System.nanoTime());
    }

    void acknowledged(int n) {
        acknowledged.add(n);
    }

    int sentCount() {
        return sent.size();
    }

    int acknowledgedCount() {
        return acknowledged.size();
    }

    Subscriber subscriber(String name) {
        Subscriber s = new Subscriber(name);
        subscribers.add(s);
        return s;
    }

    /** True when every subscriber received (or was told it may have lost) every acknowledged publication it owes. */
    boolean settled() {
        return tally().silentlyLost == 0;
    }

    /** One subscriber's view, across its reconnects. Its methods are called from its own thread only. */
    final class Subscriber {
        final String name;
        /** When its first subscribe reply arrived; it owes only publications sent after that. Guarded by this. */
        private long firstReply = Long.MAX_VALUE;
        private final List<Long> resyncs = new ArrayList<>(); // recovered: false replies after the first; guarded
        private final Set<Integer> received = new HashSet<>(); // guarded by this
        private int recovered; // guarded by this
        private int duplicates; // guarded by this
        private int outOfOrder; // guarded by this
        private int newest = -1; // guarded by this
        private int forcedReconnects; // guarded by this
        private String last = ""; // guarded by this

        Subscriber(String name) {
            this.name = name;
        }

        synchronized String last() {
            return last;
        }

        synchronized void forcedReconnect() {
            forcedReconnects++;
        }

        /** Records every subscribe reply and pushed message in a frame (a single reply or a JSON array of them). */
        synchronized void frame(String frame) {
            JsonNode root;
            try {
                root = JSON.readTree(frame);
            } catch (java.io.IOException e) {
                throw new AssertionError("not JSON: " + frame, e);
            }
            if (root.isArray()) {
                root.forEach(this::one);
            } else {
                one(root);
            }
        }

        private void one(JsonNode f) {
            String method = f.path("method").asText();
            JsonNode body = f.path("body");
            if (method.equals("subscribe")) {
                boolean resync = !body.path("recovered").asBoolean();
                if (firstReply == Long.MAX_VALUE) {
                    firstReply = System.nanoTime();
                } else if (resync) {
                    resyncs.add(System.nanoTime());
                }
                JsonNode messages = body.path("messages");
                for (int i = messages.size() - 1; i >= 0; i--) { // history is newest first
                    add(messages.get(i), resync, !resync);
                }
                if (messages.size() > 0) {
                    last = messages.get(0).path("uid").asText();
                }
            } else if (method.equals("message")) {
                add(body, false, false);
                last = body.path("uid").asText();
            }
        }

        private void add(JsonNode message, boolean resync, boolean recoveredTrue) {
            int n = message.path("data").path("n").asInt(-1);
            if (n < 0) {
                return;
            }
            if (!received.add(n) && !resync) {
                duplicates++;
            } else if (n < newest && !resync) {
                outOfOrder++;
            }
            if (recoveredTrue) {
                recovered++;
            }
            newest = Math.max(newest, n);
        }
    }

    /** The suite's counts; see docs/scaling.md "Failover chaos suite". */
    record Counts(int published, int acknowledged, int owed, int delivered, int recovered, int signalledLost,
            int silentlyLost, int duplicates, int outOfOrder, int forcedReconnects, List<String> silentSamples) {
        String table(String title) {
            return String.format(Locale.ROOT, "%s%n| published | acknowledged | owed | delivered | recovered | "
                    + "signalled lost | silently lost | duplicates | out of order | forced reconnects |%n"
                    + "| %d | %d | %d | %d | %d | %d | %d | %d | %d | %d |%n", title, published, acknowledged, owed,
                    delivered, recovered, signalledLost, silentlyLost, duplicates, outOfOrder, forcedReconnects);
        }
    }

    /**
     * Counts per (subscriber, acknowledged publication sent after that subscriber's first reply): delivered, or
     * signalled lost (a later subscribe reply said {@code recovered: false}), or silently lost.
     */
    Counts tally() {
        int owed = 0;
        int delivered = 0;
        int recovered = 0;
        int signalled = 0;
        int silent = 0;
        int duplicates = 0;
        int outOfOrder = 0;
        int forced = 0;
        List<String> samples = new ArrayList<>();
        List<Subscriber> subs;
        synchronized (subscribers) {
            subs = List.copyOf(subscribers);
        }
        for (Subscriber s : subs) {
            synchronized (s) {
                recovered += s.recovered;
                duplicates += s.duplicates;
                outOfOrder += s.outOfOrder;
                forced += s.forcedReconnects;
                for (int n : acknowledged) {
                    long at = sent.get(n);
                    if (at < s.firstReply) {
                        continue;
                    }
                    owed++;
                    if (s.received.contains(n)) {
                        delivered++;
                    } else if (s.resyncs.stream().anyMatch(r -> r > at)) {
                        signalled++;
                    } else {
                        silent++;
                        if (samples.size() < 10) {
                            samples.add(s.name + ":" + n);
                        }
                    }
                }
            }
        }
        return new Counts(sent.size(), acknowledged.size(), owed, delivered, recovered, signalled, silent,
                duplicates, outOfOrder, forced, samples);
    }
}
