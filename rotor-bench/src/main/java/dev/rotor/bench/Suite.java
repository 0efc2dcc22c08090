package dev.rotor.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The default suite: starts the server itself (so CPU and RSS are sampled), runs every scenario of issue 5's
 * table {@code --repeat} times (with {@code --engine redis} on the Redis engine: a fresh {@code redis-server} per
 * run, its CPU sampled too, and fan-outs over two nodes), prints all runs and the per-scenario medians, and writes
 * {@code results.json}, {@code medians.json}, {@code table.txt} and {@code fanout.png} into {@code --out}.
 * Idle-connection runs get a fresh server each (with {@code --conns-jvm-opts}), so earlier runs do not count as
 * connection memory.
 */
@Command(name = "suite", description = "Runs the whole benchmark suite against a server it starts itself.")
final class Suite implements Callable<Integer> {
    @Option(names = "--server-jar", defaultValue = "rotor-server/target/rotor.jar") Path serverJar;
    /** The options every launcher gives the server: those of {@code config/jvm.options} (docs/deploying.md). */
    static final String DEFAULT_JVM_OPTS = "@config/jvm.options";

    @Option(names = "--jvm-opts", defaultValue = DEFAULT_JVM_OPTS, description = "JVM options of the server, or "
            + "@FILE for the options of a JVM options file (one per line, # comments), by default the launchers' own")
    String jvmOpts;
    @Option(names = "--conns-jvm-opts", defaultValue = DEFAULT_JVM_OPTS,
            description = "JVM options of the servers for idle-connection runs (each gets a fresh server)")
    String connsJvmOpts;
    @Option(names = "--repeat", defaultValue = "3") int repeat;
    @Option(names = "--duration", defaultValue = "10") int duration;
    @Option(names = "--warmup", defaultValue = "3") int warmup;
    @Option(names = "--threads", defaultValue = "2") int threads;
    @Option(names = "--only", defaultValue = ".*", description = "regex on run labels, e.g. 'fanout|api'")
    String only;
    @Option(names = "--sweep", defaultValue = "15,30", split = ",",
            description = "extra 1x10000 fan-out rates (once each) for the plot")
    int[] sweep;
    @Option(names = "--out", defaultValue = "bench-results") Path out;
    @Option(names = "--engine", defaultValue = "memory", split = ",",
            description = "memory, redis or memory,redis: with redis every fan-out, API and churn scenario runs "
                    + "against a fresh redis-server per run, plus two-node fan-outs")
    List<String> engines;
    @Option(names = "--redis-server", defaultValue = "redis-server",
            description = "the redis-server executable for --engine redis")
    String redisServer;

    /** The engine a plan runs on. */
    enum Engine {
        MEMORY, REDIS;

        static Engine parse(String name) {
            return switch (name.trim().toLowerCase(Locale.ROOT)) {
                case "memory" -> MEMORY;
                case "redis" -> REDIS;
                default -> throw new IllegalArgumentException("--engine takes memory or redis, not " + name);
            };
        }
    }

    /**
     * One scenario of the suite; {@code fresh} ones get their own server. Redis plans are always fresh: a new
     * redis-server and {@code nodes} new servers on it per run.
     */
    record Plan(String label, Engine engine, int nodes, boolean fresh, int runs, ScenarioFactory factory) {
        Plan(String label, boolean fresh, int runs, ScenarioFactory factory) {
            this(label, Engine.MEMORY, 1, fresh, runs, factory);
        }
    }

    @FunctionalInterface
    interface ScenarioFactory {
        Result run(RunContext ctx) throws Exception;
    }

    /** Every plan of the chosen engines, in run order. */
    List<Plan> plans() {
        List<Plan> p = new ArrayList<>();
        for (String name : engines) {
            Engine engine = Engine.parse(name);
            if (engine == Engine.MEMORY) {
                p.addAll(memoryPlans());
            } else {
                p.addAll(redisPlans());
            }
        }
        return p;
    }

    /**
     * The memory plans again on one node on Redis, less idle connections (connection memory does not depend on
     * the engine), plus the fan-outs over two nodes: publisher on node A, subscribers spread over A and B.
     */
    private List<Plan> redisPlans() {
        List<Plan> p = new ArrayList<>();
        for (Plan m : memoryPlans()) {
            if (!m.label().startsWith("conns")) {
                p.add(new Plan("redis " + m.label(), Engine.REDIS, 1, true, m.runs(), m.factory()));
            }
        }
        p.add(new Plan("redis fanout 2 nodes 1x10000 @5/s", Engine.REDIS, 2, true, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1, 10_000, 5, 1, 4, 4, 100).run()));
        p.add(new Plan("redis fanout 2 nodes 1x10000 max", Engine.REDIS, 2, true, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1, 10_000, 0, 1, 4, 4, 100).run()));
        p.add(new Plan("redis fanout 2 nodes 1000x10 @5000/s", Engine.REDIS, 2, true, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1000, 10, 5000, 1, 8, 4, 100).run()));
        return p;
    }

    private List<Plan> memoryPlans() {
        List<Plan> p = new ArrayList<>();
        p.add(new Plan("conns 10000", true, repeat, c -> new ConnsScenario(c, 10_000, 10).run()));
        p.add(new Plan("conns 18000", true, repeat, c -> new ConnsScenario(c, 18_000, 10).run()));
        p.add(new Plan("fanout 1x10000 @5/s", false, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1, 10_000, 5, 1, 4, 4, 100).run()));
        for (int rate : sweep) {
            p.add(new Plan("fanout 1x10000 @" + rate + "/s", false, 1,
                    c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1, 10_000, rate, 1, 4, 4, 100).run()));
        }
        p.add(new Plan("fanout 1x10000 max", false, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1, 10_000, 0, 1, 4, 4, 100).run()));
        p.add(new Plan("fanout 1000x10 @5000/s", false, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1000, 10, 5000, 1, 8, 4, 100).run()));
        p.add(new Plan("fanout 1000x10 max b100", false, repeat,
                c -> new FanoutScenario(c, ClientTransport.WEBSOCKET, 1000, 10, 0, 100, 4, 4, 100).run()));
        // SockJS (issue 5: within 1.5x the raw WebSocket cost per delivery)
        for (ClientTransport t : List.of(ClientTransport.SOCKJS_WEBSOCKET, ClientTransport.SOCKJS_XHR_STREAMING)) {
            p.add(new Plan("fanout " + t.prefix() + "1x10000 @5/s", false, repeat,
                    c -> new FanoutScenario(c, t, 1, 10_000, 5, 1, 4, 4, 100).run()));
            p.add(new Plan("fanout " + t.prefix() + "1x10000 max", false, repeat,
                    c -> new FanoutScenario(c, t, 1, 10_000, 0, 1, 4, 4, 100).run()));
            p.add(new Plan("fanout " + t.prefix() + "1000x10 @5000/s", false, repeat,
                    c -> new FanoutScenario(c, t, 1000, 10, 5000, 1, 8, 4, 100).run()));
        }
        p.add(new Plan("api c32 b1", false, repeat, c -> new ApiScenario(c, 32, 1, "api", 100).run()));
        p.add(new Plan("api c32 b100", false, repeat, c -> new ApiScenario(c, 32, 100, "api", 100).run()));
        p.add(new Plan("api c32 b100 history", false, repeat,
                c -> new ApiScenario(c, 32, 100, "hist:api", 100).run()));
        p.add(new Plan("churn w32", false, repeat, c -> new ChurnScenario(c, 32, 2_000_000).run()));
        return p;
    }

    @Override
    public Integer call() throws Exception {
        Pattern filter = Pattern.compile(only);
        List<String> opts = split(jvmOpts);
        List<String> connsOpts = split(connsJvmOpts);
        Files.createDirectories(out);
        List<Result> all = new ArrayList<>();
        List<Plan> plans = plans();
        System.out.printf("suite: server %s %s (idle-connection runs: %s); %d run(s) of %d s (+%d s warm-up) "
                + "per scenario; engines %s; load %.2f%n",
                serverJar, jvmOpts, connsJvmOpts, repeat, duration, warmup, engines, ProcStats.loadAverage());
        Deployment shared = null;
        try {
            for (Plan plan : plans) {
                if (!filter.matcher(plan.label()).find()) {
                    continue;
                }
                boolean conns = plan.fresh() && plan.engine() == Engine.MEMORY;
                for (int i = 0; i < plan.runs(); i++) {
                    Deployment deployment = plan.fresh() ? Deployment.start(LocalServer.jar(serverJar,
                            conns ? connsOpts : opts), plan.engine() == Engine.REDIS ? redisServer : null,
                            plan.nodes()) : shared;
                    if (deployment == null) {
                        shared = Deployment.start(LocalServer.jar(serverJar, opts), null, 1);
                        deployment = shared;
                    }
                    try (RunContext ctx = deployment.context(threads, duration, warmup)) {
                        Result r = plan.factory().run(ctx);
                        if (plan.engine() == Engine.REDIS) {
                            r = r.relabel("redis " + r.label);
                        }
                        r.put("engine", plan.engine().name().toLowerCase(Locale.ROOT))
                                .put("run", i + 1).put("jvm_opts", conns ? connsJvmOpts : jvmOpts)
                                .put("java", System.getProperty("java.version"))
                                .put("time", Instant.now().toString());
                        all.add(r);
                        System.out.print(Result.table(List.of(r)));
                        BenchMain.JSON.writeValue(out.resolve("results.json").toFile(),
                                all.stream().map(Result::toMap).toList());
                    } finally {
                        if (plan.fresh()) {
                            deployment.close();
                        }
                    }
                }
            }
        } finally {
            if (shared != null) {
                shared.close();
            }
        }
        List<Result> medians = medians(all);
        String table = "all runs:\n" + Result.table(all) + "\nmedians:\n" + Result.table(medians);
        System.out.println();
        System.out.print(table);
        Files.writeString(out.resolve("table.txt"), table);
        BenchMain.JSON.writeValue(out.resolve("medians.json").toFile(), medians.stream().map(Result::toMap).toList());
        List<Result> fan = medians.stream().filter(r -> r.label.startsWith("fanout 1x10000")).toList();
        if (!fan.isEmpty()) {
            Plot.write(fan, "Rotor fan-out, 1 channel x 10,000 subscribers (medians)", out.resolve("fanout.png"));
        }
        System.out.println("written to " + out.toAbsolutePath());
        return 0;
    }

    /**
     * What one run talks to: an optional redis-server and the server nodes (node A first). Closes the nodes before
     * Redis, so they do not log a lost Redis on the way out.
     */
    record Deployment(LocalProcess redis, List<LocalProcess> nodes) implements AutoCloseable {
        /** Starts {@code redisServer} when not null, then {@code nodes} servers on it (or on memory). */
        static Deployment start(LocalServer.Launcher server, String redisServer, int nodes)
                throws IOException, InterruptedException {
            if (redisServer == null && nodes != 1) {
                throw new IllegalArgumentException("several nodes need the Redis engine");
            }
            LocalProcess redis = redisServer == null ? null : LocalRedis.start(redisServer);
            List<LocalProcess> servers = new ArrayList<>();
            Deployment d = new Deployment(redis, servers);
            try {
                for (int n = 0; n < nodes; n++) {
                    servers.add(server.start(redis == null ? 0 : redis.port()));
                }
            } catch (IOException | RuntimeException | InterruptedException e) {
                d.close();
                throw e;
            }
            return d;
        }

        RunContext context(int threads, int duration, int warmup) {
            List<Target> targets = nodes.stream()
                    .map(s -> new Target("127.0.0.1", s.port(), LocalServer.SECRET, true)).toList();
            return new RunContext(targets, threads, new ProcStats(nodes.stream().mapToLong(LocalProcess::pid)
                    .toArray()), new ProcStats(redis == null ? 0 : redis.pid()), duration, warmup,
                    "/connection/websocket", "/connection", System.out);
        }

        @Override
        public void close() throws InterruptedException {
            for (LocalProcess s : nodes) {
                s.close();
            }
            if (redis != null) {
                redis.close();
            }
        }
    }

    /**
     * Options split at blanks, or for {@code @FILE} the lines of a JVM options file as the launchers read them:
     * trimmed, blank lines and {@code #} comments skipped, a line one option.
     */
    static List<String> split(String options) throws IOException {
        String o = options.trim();
        if (o.startsWith("@")) {
            return Files.readAllLines(Path.of(o.substring(1))).stream().map(String::strip)
                    .filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        }
        return Arrays.stream(o.split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }

    /** Per label, the median of every numeric value over its runs (NaN values are left out). */
    static List<Result> medians(List<Result> runs) {
        Map<String, List<Result>> byLabel = new LinkedHashMap<>();
        for (Result r : runs) {
            byLabel.computeIfAbsent(r.label, k -> new ArrayList<>()).add(r);
        }
        List<Result> out = new ArrayList<>();
        for (List<Result> group : byLabel.values()) {
            Result first = group.get(0);
            Result m = new Result(first.scenario, first.label);
            for (String key : first.values.keySet()) {
                double[] v = group.stream().mapToDouble(r -> r.get(key)).filter(d -> !Double.isNaN(d)).sorted()
                        .toArray();
                if (first.values.get(key) instanceof Number) {
                    m.put(key, v.length == 0 ? Double.NaN
                            : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
                }
            }
            m.put("runs", group.size());
            out.add(m);
        }
        return out;
    }
}
