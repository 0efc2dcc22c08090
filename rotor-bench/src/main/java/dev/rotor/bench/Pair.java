package dev.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Side-by-side runs of two server commands: every scenario runs against A and B interleaved (A,B then B,A, and so
 * on for {@code --rounds}), each run on a server started cold for it, and the table gives per scenario and metric
 * the median of A, of B, the paired ratio A/B of each round, their median and their spread. Pairing is what makes
 * a ratio mean something on a shared machine: the two arms of a round ran minutes apart, not days.
 * <p>
 * A is the candidate, B the baseline: {@code --a bin/rotor --b path/to/centrifugo} gives "Rotor / v1";
 * {@code --a new/bin/rotor --b old/bin/rotor} gives the A/B of a change.
 */
@Command(name = "pair", description = "Runs scenarios against two server commands interleaved and prints paired "
        + "ratios A/B (docs/benchmarks.md, \"Side-by-side runs\").")
final class Pair implements Callable<Integer> {
    /** The scenarios of the side-by-side tables (issue 11 on memory, issue 15 on Redis). */
    static final String DEFAULT_ONLY = "^(redis )?(conns 18000 @3000/s cold|churn w32|fanout 1x10000 max"
            + "|fanout 1000x10 @5000/s|fanout 1000x10 max b100|api c32 b1|api c32 b100( history)?"
            + "|fanout 2 nodes 1x10000 max)$";
    /**
     * The idle ramp's second window (ConnsScenario#settledIdleWindow) starts this long after its first, which holds
     * the JIT still compiling what the ramp made hot (docs/benchmarks.md, "Idle cost")...
     */
    static final int IDLE_SETTLE_SECONDS = 10;
    /** ...and lasts one default ping_interval, so that every connection's keepalive ping falls in it once. */
    static final int IDLE_SETTLED_WINDOW_SECONDS = 25;

    /** Samples of {@link #restingRss}, one per {@link #REST_SAMPLE_MILLIS}; at rest after this many within a MB. */
    static final int REST_SAMPLES = 5;
    static final long REST_SAMPLE_MILLIS = 250;
    static final int REST_TIMEOUT_SECONDS = 15;

    /**
     * The metrics compared, in order, with whether more is better; a scenario shows those it reports (p50/p99 of
     * an idle-connection ramp are connect-to-subscribed times).
     */
    static final List<Metric> METRICS = List.of(
            new Metric("connections_per_s", true),
            new Metric("rss_per_conn_kb", false),
            new Metric("rss_per_conn_rest_kb", false),
            new Metric("idle_cpu_pct", false),
            new Metric("idle_settled_cpu_pct", false),
            new Metric("deliveries_per_s", true),
            new Metric("deliveries_per_cpu_s", true),
            new Metric("connections_per_cpu_s", true),
            new Metric("commands_per_s", true),
            new Metric("commands_per_cpu_s", true),
            new Metric("requests_per_s", true),
            new Metric("p50_ms", false),
            new Metric("p99_ms", false),
            new Metric("delivery_ratio", true),
            new Metric("server_cpu_pct", false),
            new Metric("server_rss_mb", false),
            new Metric("start_s", false),
            new Metric("start_to_last_s", false),
            new Metric("redis_cpu_pct", false),
            new Metric("redis_us_per_commands", false),
            new Metric("redis_us_per_deliveries", false));

    record Metric(String key, boolean higherIsBetter) {
    }

    @Option(names = "--a", required = true, description = "server command A, the candidate (e.g. bin/rotor); the "
            + "suite appends --config, --address, --port and --log_level; run by bash in the current directory")
    String a;
    @Option(names = "--b", required = true, description = "server command B, the baseline (e.g. a Centrifugo v1 "
            + "binary, or another checkout's bin/rotor)")
    String b;
    @Option(names = "--a-name", defaultValue = "A") String aName;
    @Option(names = "--b-name", defaultValue = "B") String bName;
    @Option(names = "--rounds", defaultValue = "2", description = "rounds per scenario; round i runs A,B when i is "
            + "odd and B,A when even")
    int rounds;
    @Option(names = "--only", defaultValue = DEFAULT_ONLY, description = "regex on scenario labels")
    String only;
    @Option(names = "--engine", defaultValue = "memory", split = ",", description = "memory, redis or both")
    List<String> engines;
    @Option(names = "--duration", defaultValue = "10") int duration;
    @Option(names = "--warmup", defaultValue = "3") int warmup;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--redis-server", defaultValue = "redis-server") String redisServer;
    @Option(names = "--out", defaultValue = "bench-results/pair") Path out;
    @Option(names = "--generator-warmups", defaultValue = "2",
            description = "runs before the rounds of the first scenario and of every scenario without a warm-up of "
                    + "its own (the cold idle ramp), against B then A alternately, that are not counted: the first "
                    + "counted run then does not pay for this generator's own JIT warm-up (0: none)")
    int generatorWarmups = 2;
    @Option(names = "--settled-window", defaultValue = "" + IDLE_SETTLED_WINDOW_SECONDS,
            description = "seconds of the idle ramp's second idle window (idle_settled_cpu_pct); 0: none, for runs "
                    + "that look at the ramp only (each is then 35 s shorter)")
    int settledWindow = IDLE_SETTLED_WINDOW_SECONDS;

    @Override
    public Integer call() throws Exception {
        if (rounds < 1 || rounds > 20) {
            throw new IllegalArgumentException("--rounds must be 1..20, not " + rounds);
        }
        Pattern filter = Pattern.compile(only);
        List<Suite.Plan> plans = plans().stream().filter(p -> filter.matcher(p.label()).find()).toList();
        if (plans.isEmpty()) {
            throw new IllegalArgumentException("no scenario matches --only " + only);
        }
        Path cwd = Path.of("").toAbsolutePath();
        Map<Boolean, LocalServer.Launcher> launchers = Map.of(true, LocalServer.command(a, cwd), false,
                LocalServer.command(b, cwd));
        Files.createDirectories(out);
        System.out.printf("pair: A = %s (%s), B = %s (%s); %d round(s) of %d scenario(s), %d s (+%d s warm-up) "
                + "each, every run on a fresh server; load %.2f%n", aName, a, bName, b, rounds, plans.size(),
                duration, warmup, ProcStats.loadAverage());
        List<Result> all = new ArrayList<>();
        StringBuilder tables = new StringBuilder();
        Map<Boolean, Long> measuredRest = null; // a property of each arm's server, not of a scenario: once a run
        for (Suite.Plan plan : plans) {
            // each arm's resting RSS once, before the first cold scenario's generator warm-up runs, so that no
            // counted run follows a calibration start directly (one that did ran slower in every round, for a
            // reason not found)
            if (startsCold(plan) && measuredRest == null) {
                measuredRest = Map.of(true, restingRss(launchers.get(true)), false, restingRss(launchers.get(false)));
            }
            Map<Boolean, Long> rest = startsCold(plan) ? measuredRest : Map.of(true, -1L, false, -1L);
            for (int i = 0; warmsGeneratorUp(plans, plan) && i < Math.min(generatorWarmups, 10); i++) {
                boolean isA = i % 2 == 1;
                warmGenerator(plan, launchers.get(isA), isA ? aName : bName);
            }
            List<Result> as = new ArrayList<>();
            List<Result> bs = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                for (boolean isA : order(round)) {
                    Result r;
                    try {
                        r = run(plan, launchers.get(isA)).relabel(plan.label());
                        if (rest.get(isA) > 0) {
                            perConnectionFromRest(r, rest.get(isA));
                        }
                    } catch (Exception e) {
                        // one failed run (a server that refused connections, say) loses its round, not the others
                        System.out.printf("%s %s round %d failed: %s%n", isA ? aName : bName, plan.label(), round,
                                e);
                        r = new Result(plan.label(), plan.label()).put("failed", e.toString());
                    }
                    r.put("arm", isA ? aName : bName).put("round", round).put("command", isA ? a : b)
                            .put("java", System.getProperty("java.version")).put("time", Instant.now().toString());
                    (isA ? as : bs).add(r);
                    all.add(r);
                    System.out.print(Result.table(List.of(r.relabel((isA ? aName : bName) + " " + plan.label()))));
                    BenchMain.JSON.writeValue(out.resolve("results.json").toFile(),
                            all.stream().map(Result::toMap).toList());
                }
            }
            String table = table(plan.label(), as, bs);
            System.out.println();
            System.out.print(table);
            tables.append(table).append('\n');
            Files.writeString(out.resolve("pairs.txt"), header() + tables);
        }
        System.out.println();
        System.out.print(header() + tables);
        System.out.println("written to " + out.toAbsolutePath());
        return 0;
    }

    private String header() {
        return String.format("A = %s: %s%nB = %s: %s%nratio = A/B per round (A,B then B,A), median [min..max];"
                + " + marks the better side%n%n", aName, a, bName, b);
    }

    /**
     * Whether a scenario measures from its first connection on, with no warm-up of its own: the cold idle ramp
     * ({@link ConnsScenario#label()} ends so). Such a run measures the generator's warmth as much as the server's:
     * a generator JVM whose connection code is not yet compiled needs more than a core of the two for the ramp
     * (docs/benchmarks.md, "Side by side: two servers, paired"), and the first run of a pair would pay for it.
     */
    static boolean startsCold(Suite.Plan plan) {
        return plan.label().endsWith(" cold");
    }

    /**
     * Whether {@code plan}, one of {@code plans} in run order, gets the generator's warm-up runs first: a cold
     * scenario, and the first one whatever it is, whose in-run warm-up of a few seconds is shorter than the
     * generator JVM's own compilation (churn measured first: 1.10 cores in its first run).
     */
    static boolean warmsGeneratorUp(List<Suite.Plan> plans, Suite.Plan plan) {
        return plans.get(0) == plan || startsCold(plan);
    }

    /** One run of {@code plan} against {@code launcher} whose result is dropped: the generator's own warm-up. */
    private void warmGenerator(Suite.Plan plan, LocalServer.Launcher launcher, String name) {
        System.out.printf("%s: a run against %s to warm this generator up, not counted%n", plan.label(), name);
        try {
            run(plan, launcher);
        } catch (Exception e) {
            System.out.printf("%s: the generator's warm-up run failed (%s); the first counted run pays for its "
                    + "warm-up%n", plan.label(), e);
        }
    }

    /** Round 1 runs A then B, round 2 B then A, and so on: drift over time falls on both arms alike. */
    static List<Boolean> order(int round) {
        return round % 2 == 1 ? List.of(true, false) : List.of(false, true);
    }

    private Result run(Suite.Plan plan, LocalServer.Launcher launcher) throws Exception {
        try (Suite.Deployment d = Suite.Deployment.start(launcher,
                plan.engine() == Suite.Engine.REDIS ? redisServer : null, plan.nodes());
                RunContext ctx = d.context(threads, duration, warmup)) {
            return withStart(plan.factory().run(ctx), d.nodes().get(0).startup());
        }
    }

    /**
     * Adds how long the server took from its start to an open port, {@code start_s}, which a warm-up at start
     * lengthens, and for a ramp {@code start_to_last_s}: from the server's start until its last connection of the
     * ramp was subscribed, what a crowd of clients that waited for a restarted server sees.
     */
    static Result withStart(Result r, Duration startup) {
        double start = startup.toMillis() / 1000.0;
        r.put("start_s", start);
        // a ramp's window starts when the port opens; churn's starts after its warm-up, so it has no such figure
        if ("conns".equals(r.scenario) && r.values.get("duration_s") instanceof Number d) {
            r.put("start_to_last_s", start + d.doubleValue());
        }
        return r;
    }

    /**
     * The RSS of a fresh server at rest: started like the cold ramp's, without a client, once its RSS has stopped
     * growing (or after {@link #REST_TIMEOUT_SECONDS}), then stopped; measured once per arm and run, before
     * the generator's warm-up runs. The cold ramp's own baseline is taken the moment the port opens, as it must to
     * start the ramp at once; a JVM goes on compiling its start-up code for a second or so after that (~15 MB of
     * Rotor's RSS, docs/benchmarks.md, "Side by side: two servers, paired"), which that baseline would count as the
     * connections' memory. -1 when the RSS cannot be read.
     */
    private long restingRss(LocalServer.Launcher launcher) throws InterruptedException {
        try (Suite.Deployment d = Suite.Deployment.start(launcher, null, 1)) {
            ProcStats proc = new ProcStats(d.nodes().get(0).pid());
            List<Long> samples = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REST_TIMEOUT_SECONDS);
            while (true) {
                long rss = proc.rssBytes();
                if (rss < 0) {
                    return -1;
                }
                samples.add(rss);
                if (atRest(samples) || System.nanoTime() > deadline) {
                    return rss;
                }
                Thread.sleep(REST_SAMPLE_MILLIS);
            }
        } catch (IOException | RuntimeException e) {
            System.out.printf("the resting RSS could not be measured (%s); no rss_per_conn_rest_kb%n", e);
            return -1;
        }
    }

    /** Whether the last {@link #REST_SAMPLES} RSS samples (one second) lie within 1 MB of each other. */
    static boolean atRest(List<Long> samples) {
        if (samples.size() < REST_SAMPLES) {
            return false;
        }
        List<Long> last = samples.subList(samples.size() - REST_SAMPLES, samples.size());
        return last.stream().mapToLong(Long::longValue).max().getAsLong()
                - last.stream().mapToLong(Long::longValue).min().getAsLong() < 1 << 20;
    }

    /**
     * Adds the resting baseline to a cold ramp's result and the RSS per connection measured from it,
     * {@code rss_per_conn_rest_kb}, next to {@code rss_per_conn_kb} from the baseline at the port's opening.
     */
    static Result perConnectionFromRest(Result r, long restBytes) {
        r.put("rss_rest_mb", restBytes / 1048576.0);
        Object after = r.values.get("rss_after_mb");
        Object count = r.values.get("connections");
        if (after instanceof Number a && count instanceof Number n && n.longValue() > 0) {
            r.put("rss_per_conn_rest_kb", (a.doubleValue() * 1048576.0 - restBytes) / 1024.0 / n.longValue());
        }
        return r;
    }

    /** The suite's plans of the chosen engines, one run each (rounds repeat them), plus the cold idle ramp. */
    List<Suite.Plan> plans() {
        Suite suite = new Suite();
        suite.engines = engines;
        suite.repeat = 1;
        suite.sweep = new int[0];
        List<Suite.Plan> p = new ArrayList<>();
        if (engines.stream().anyMatch(e -> Suite.Engine.parse(e) == Suite.Engine.MEMORY)) {
            p.add(new Suite.Plan("conns 18000 @3000/s cold", true, 1,
                    c -> new ConnsScenario(c, ClientTransport.WEBSOCKET, 18_000, 10, 0, 3000, true)
                            .settledIdleWindow(settledWindow > 0 ? IDLE_SETTLE_SECONDS : 0, settledWindow).run()));
            // not in DEFAULT_ONLY: a restart's crowd, all at once as soon as the port opens (--only 'conns 18000 cold')
            p.add(new Suite.Plan("conns 18000 cold", true, 1,
                    c -> new ConnsScenario(c, ClientTransport.WEBSOCKET, 18_000, 10, 0, 0, true).run()));
        }
        p.addAll(suite.plans());
        return p;
    }

    /** The paired table of one scenario: a row per metric both arms reported. */
    static String table(String label, List<Result> as, List<Result> bs) {
        StringBuilder sb = new StringBuilder(label).append('\n');
        long failedA = as.stream().filter(r -> r.values.containsKey("failed")).count();
        long failedB = bs.stream().filter(r -> r.values.containsKey("failed")).count();
        if (failedA + failedB > 0) {
            sb.append(String.format("  failed runs (their rounds are left out): A %d, B %d%n", failedA, failedB));
        }
        sb.append(String.format("  %-24s %12s %12s %9s  %s%n", "metric", "A (median)", "B (median)", "A/B",
                "per round"));
        for (Metric m : METRICS) {
            double[] ratios = ratios(as, bs, m.key());
            if (ratios.length == 0) {
                continue;
            }
            double ratio = median(ratios);
            boolean aBetter = m.higherIsBetter() ? ratio > 1 : ratio < 1;
            sb.append(String.format(Locale.ROOT, "  %-24s %12s %12s %8.2fx%s %s%n", m.key(),
                    Result.format(median(values(as, m.key()))), Result.format(median(values(bs, m.key()))), ratio,
                    ratio == 1 ? " " : aBetter ? "+" : " ", spread(ratios)));
        }
        return sb.toString();
    }

    /** A/B of each round where both arms have the value (rounds pair by position). */
    static double[] ratios(List<Result> as, List<Result> bs, String key) {
        int n = Math.min(as.size(), bs.size());
        double[] out = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            double va = as.get(i).get(key);
            double vb = bs.get(i).get(key);
            if (!Double.isNaN(va) && !Double.isNaN(vb) && vb != 0) {
                out[k++] = va / vb;
            }
        }
        return Arrays.copyOf(out, k);
    }

    private static double[] values(List<Result> rs, String key) {
        return rs.stream().mapToDouble(r -> r.get(key)).filter(v -> !Double.isNaN(v)).toArray();
    }

    static double median(double[] v) {
        if (v.length == 0) {
            return Double.NaN;
        }
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String spread(double[] ratios) {
        StringBuilder each = new StringBuilder();
        double min = Double.MAX_VALUE;
        double max = -Double.MAX_VALUE;
        for (double r : ratios) {
            each.append(String.format(Locale.ROOT, " %.2f", r));
            min = Math.min(min, r);
            max = Math.max(max, r);
        }
        return String.format(Locale.ROOT, "[%.2f..%.2f]", min, max) + each;
    }
}
