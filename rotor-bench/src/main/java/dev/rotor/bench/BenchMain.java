package dev.rotor.bench;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Command line of the load generator: {@code suite} (the default; starts the server itself) and the single
 * scenarios {@code conns}, {@code fanout}, {@code api}, {@code churn} against any running Rotor or Centrifugo v1
 * node, plus {@code plot}. Every command prints a result table and can write JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load generator for Rotor and Centrifugo v1 nodes (loopback only).",
        subcommands = {Suite.class, Pair.class, BenchMain.Conns.class, BenchMain.Fanout.class, BenchMain.Api.class,
                BenchMain.Churn.class, BenchMain.PlotCommand.class, JfrTop.class})
public final class BenchMain implements Callable<Integer> {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new BenchMain());
        String[] effective = args.length == 0 ? new String[] {"suite"} : args;
        System.exit(cli.execute(effective));
    }

    @Override
    public Integer call() {
        return new CommandLine(new Suite()).execute();
    }

    /** Options shared by the single-scenario commands. */
    static final class Common {
        @Option(names = "--host", defaultValue = "127.0.0.1", description = "server host (loopback only)")
        String host;
        @Option(names = "--port", defaultValue = "8000", description = "client/API port")
        int port;
        @Option(names = "--secret", defaultValue = "", description = "project secret for tokens and API signs")
        String secret;
        @Option(names = "--insecure-api", description = "do not sign API requests (server has insecure_api)")
        boolean insecureApi;
        @Option(names = "--server-pid", defaultValue = "0",
                description = "pid of the local server, to sample its CPU and RSS from /proc")
        long serverPid;
        @Option(names = "--redis-pid", defaultValue = "0",
                description = "pid of the local redis-server the node uses, to report Redis's CPU next to the server's")
        long redisPid;
        @Option(names = "--more-ports", split = ",",
                description = "ports of further nodes on the same Redis (node B, ...): subscribers are spread over "
                        + "--port and these, the API goes to --port")
        List<Integer> morePorts = new ArrayList<>();
        @Option(names = "--more-pids", split = ",",
                description = "pids of the further nodes, summed into the server CPU and RSS")
        List<Long> morePids = new ArrayList<>();
        @Option(names = "--duration", defaultValue = "10", description = "measured seconds (1..600)")
        int duration;
        @Option(names = "--warmup", defaultValue = "3", description = "seconds before measuring")
        int warmup;
        @Option(names = "--threads", defaultValue = "2", description = "generator event-loop threads")
        int threads;
        @Option(names = "--ws-path", defaultValue = "/connection/websocket",
                description = "WebSocket path (raw v1 protocol frames)")
        String wsPath;
        @Option(names = "--sockjs-path", defaultValue = "/connection",
                description = "SockJS endpoint prefix for the sockjs-* transports")
        String sockJsPath;
        @Option(names = "--json", description = "write the result as JSON to this file")
        Path json;

        RunContext context() {
            List<Target> nodes = new ArrayList<>();
            nodes.add(new Target(host, port, secret, insecureApi));
            morePorts.forEach(p -> nodes.add(new Target(host, p, secret, insecureApi)));
            long[] pids = Stream.concat(Stream.of(serverPid), morePids.stream())
                    .mapToLong(Long::longValue).toArray();
            return new RunContext(nodes, threads, new ProcStats(pids), new ProcStats(redisPid), duration, warmup,
                    wsPath, sockJsPath, System.out);
        }

        Integer finish(Result r) throws java.io.IOException {
            System.out.println();
            System.out.print(Result.table(List.of(r)));
            if (json != null) {
                JSON.writeValue(json.toFile(), List.of(r.toMap()));
            }
            return 0;
        }
    }

    /** The {@code --transport} option of the scenarios that open subscribers. */
    static final class TransportOption {
        @Option(names = "--transport", defaultValue = "websocket",
                description = "websocket (raw v1 frames), sockjs-websocket or sockjs-xhr-streaming")
        String transport;

        ClientTransport get() {
            return ClientTransport.parse(transport);
        }
    }

    @Command(name = "conns", description = "Idle connections (connect + subscribe) and server RSS per connection.")
    static final class Conns implements Callable<Integer> {
        @Mixin Common common;
        @Mixin TransportOption transport;
        @Option(names = "--count", defaultValue = "10000") int count;
        @Option(names = "--per-channel", defaultValue = "10") int perChannel;
        @Option(names = "--hold", defaultValue = "0",
                description = "seconds to keep the connections open afterwards, e.g. for jcmd GC.class_histogram")
        int hold;
        @Option(names = "--ramp-rate", defaultValue = "0",
                description = "connections opened per second (0: as fast as 500 handshakes in flight allow)")
        int rampRate;
        @Option(names = "--cold", description = "no warm-up batch and no forced GC: the first connections are the "
                + "server's first, as after a restart")
        boolean cold;
        @Option(names = "--settle", defaultValue = "0",
                description = "also measure the server's idle CPU in a second window that starts this many seconds"
                        + " after the first (idle_settled_cpu_pct; 0: none)")
        int settle;
        @Option(names = "--settled-window", defaultValue = "25",
                description = "length of that window in seconds; 25, the default ping_interval, holds every"
                        + " connection's keepalive ping once")
        int settledWindow;

        @Override
        public Integer call() throws Exception {
            try (RunContext ctx = common.context()) {
                return common.finish(new ConnsScenario(ctx, transport.get(), count, perChannel, hold, rampRate, cold)
                        .settledIdleWindow(settle, settledWindow).run());
            }
        }
    }

    @Command(name = "fanout", description = "Publications through the API fanned out to subscribers.")
    static final class Fanout implements Callable<Integer> {
        @Mixin Common common;
        @Mixin TransportOption transport;
        @Option(names = "--channels", defaultValue = "1") int channels;
        @Option(names = "--subscribers", defaultValue = "10000", description = "per channel") int subscribers;
        @Option(names = "--rate", defaultValue = "5", description = "publications/s; 0 = max sustainable")
        int rate;
        @Option(names = "--batch", defaultValue = "1", description = "publish commands per API request")
        int batch;
        @Option(names = "--api-connections", defaultValue = "4") int apiConnections;
        @Option(names = "--window", defaultValue = "4",
                description = "max rate: publications per channel in flight (sent, not yet all delivered)")
        int window;
        @Option(names = "--data-bytes", defaultValue = "100") int dataBytes;

        @Override
        public Integer call() throws Exception {
            try (RunContext ctx = common.context()) {
                return common.finish(new FanoutScenario(ctx, transport.get(), channels, subscribers, rate, batch,
                        apiConnections, window, dataBytes).run());
            }
        }
    }

    @Command(name = "api", description = "HTTP API publish throughput over keep-alive connections.")
    static final class Api implements Callable<Integer> {
        @Mixin Common common;
        @Option(names = "--connections", defaultValue = "32") int connections;
        @Option(names = "--batch", defaultValue = "1", description = "commands per request") int batch;
        @Option(names = "--channel-prefix", defaultValue = "api",
                description = "channels are <prefix>0..; use a namespace with history (e.g. hist:api) for history")
        String channelPrefix;
        @Option(names = "--data-bytes", defaultValue = "100") int dataBytes;

        @Override
        public Integer call() throws Exception {
            try (RunContext ctx = common.context()) {
                return common.finish(new ApiScenario(ctx, connections, batch, channelPrefix, dataBytes).run());
            }
        }
    }

    @Command(name = "churn", description = "Connect + subscribe + disconnect cycles per second.")
    static final class Churn implements Callable<Integer> {
        @Mixin Common common;
        @Option(names = "--workers", defaultValue = "32") int workers;
        @Option(names = "--max-cycles", defaultValue = "2000000") long maxCycles;

        @Override
        public Integer call() throws Exception {
            try (RunContext ctx = common.context()) {
                return common.finish(new ChurnScenario(ctx, workers, maxCycles).run());
            }
        }
    }

    @Command(name = "plot", description = "Draws the fan-out latency/throughput PNG from a results JSON file.")
    static final class PlotCommand implements Callable<Integer> {
        @Option(names = "--in", required = true) Path in;
        @Option(names = "--out", required = true) Path out;
        @Option(names = "--title", defaultValue = "Rotor fan-out") String title;

        @Override
        public Integer call() throws Exception {
            List<Result> fanout = new ArrayList<>();
            for (Result r : read(in)) {
                if (r.scenario.equals("fanout")) {
                    fanout.add(r);
                }
            }
            Plot.write(fanout, title, out);
            return 0;
        }
    }

    static List<Result> read(Path file) throws java.io.IOException {
        List<Map<String, Object>> maps = JSON.readValue(Files.readAllBytes(file), new TypeReference<>() { });
        List<Result> out = new ArrayList<>();
        for (Map<String, Object> m : maps) {
            out.add(Result.fromMap(m));
        }
        return out;
    }
}
