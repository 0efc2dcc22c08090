package dev.rotor.cli;

import dev.rotor.auth.Hmac;
import dev.rotor.config.ConfigLoader;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rotor cds-training} (beyond v1, hidden): starts a private server on a free loopback port with a built-in
 * config (memory engine, a namespace with history, presence, join/leave and client publish, the admin socket and
 * web interface, Prometheus metrics), drives every common path once per round through it — WebSocket connect, subscribe,
 * publish, presence, history, ping, a publication from the signed HTTP API, SockJS info, the SockJS WebSocket and
 * XHR-streaming transports, the web interface's login and admin socket, health and metrics — stops it and exits 0.
 * <p>
 * Its purpose is the class-data-sharing archive: {@code java -XX:ArchiveClassesAtExit=rotor.jsa -jar rotor.jar
 * cds-training} records the classes those paths load, and a server started with
 * {@code -XX:SharedArchiveFile=rotor.jsa} maps them instead of loading them (docs/deploying.md, "Class-data
 * sharing"). Every step is checked, so a workload that stopped exercising a path fails instead of quietly
 * training less. Confined to the executing thread.
 */
@Command(name = "cds-training", hidden = true,
        description = "Run a short built-in workload against a private server (trains the class-data-sharing archive)")
final class TrainingCommand implements Callable<Integer> {
    private static final String SECRET = "cds-training-secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--rounds", paramLabel = "int", defaultValue = "20", description = "workload rounds (default 20)")
    private int rounds;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for cds-training")
    private boolean help;

    @Spec
    private CommandSpec spec;

    private final Main main;

    TrainingCommand(Main main) {
        this.main = main;
    }

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("rotor-cds-training-");
        Path config = dir.resolve("config.json");
        try {
            Files.writeString(config, """
                    {"secret": "%s", "admin_password": "training", "admin_secret": "training-admin",
                     "prometheus": true,
                     "namespaces": [{"name": "public", "publish": true, "presence": true, "join_leave": true,
                                     "history_size": 10, "history_lifetime": 60, "recover": true}]}
                    """.formatted(SECRET));
            int port = LoopbackPorts.free();
            Map<String, Object> flags = new LinkedHashMap<>();
            flags.put("address", "127.0.0.1");
            flags.put("port", Integer.toString(port));
            flags.put("log_level", "none");
            flags.put("admin", Boolean.TRUE);
            flags.put("web", Boolean.TRUE);
            flags.put("warmup_connections", 20); // a few, for the warm-up's own classes
            ServerRunner runner = new ServerRunner(new ConfigLoader(config, Map.of(), flags), main.logging(),
                    main.engines(), main.servers(), main.shutdownTimeout(), main.warmup());
            if (runner.start() != 0) {
                out.println("cds-training: the server did not start");
                out.flush();
                return 1;
            }
            try {
                Workload w = new Workload("127.0.0.1:" + port);
                for (int i = 0; i < Math.max(1, Math.min(rounds, 1000)); i++) {
                    w.round(i);
                }
            } finally {
                runner.stop();
            }
            out.println("cds-training: " + rounds + " rounds done");
            out.flush();
            return 0;
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(dir);
        }
    }


    /** The paths of one round; every answer is checked. */
    private static final class Workload {
        private final String host;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

        Workload(String host) {
            this.host = host;
        }

        void round(int i) throws Exception {
            String user = "u" + i;
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            String token = Hmac.clientToken(SECRET, user, ts, "");
            String connect = "{\"method\":\"connect\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\"" + ts
                    + "\",\"info\":\"\",\"token\":\"" + token + "\"}}";
            Frames ws = Frames.open(http, URI.create("ws://" + host + "/connection/websocket"));
            try {
                ws.send(connect).expect("\"connect\"");
                ws.send("[{\"uid\":\"1\",\"method\":\"subscribe\",\"params\":{\"channel\":\"public:c\"}},"
                        + "{\"uid\":\"2\",\"method\":\"ping\"}]").expect("\"subscribe\"");
                ws.send("{\"uid\":\"3\",\"method\":\"publish\",\"params\":{\"channel\":\"public:c\","
                        + "\"data\":{\"n\":" + i + "}}}").expect("\"message\"");
                ws.send("{\"uid\":\"4\",\"method\":\"presence\",\"params\":{\"channel\":\"public:c\"}}")
                        .expect("\"presence\"");
                ws.send("{\"uid\":\"5\",\"method\":\"history\",\"params\":{\"channel\":\"public:c\"}}")
                        .expect("\"history\"");
                api("[{\"method\":\"publish\",\"params\":{\"channel\":\"public:c\",\"data\":{\"api\":" + i + "}}},"
                        + "{\"method\":\"broadcast\",\"params\":{\"channels\":[\"public:c\",\"d\"],\"data\":{}}},"
                        + "{\"method\":\"presence\",\"params\":{\"channel\":\"public:c\"}},"
                        + "{\"method\":\"history\",\"params\":{\"channel\":\"public:c\"}},"
                        + "{\"method\":\"channels\",\"params\":{}},{\"method\":\"stats\",\"params\":{}}]");
                ws.expect("\"api\":" + i);
                ws.send("{\"uid\":\"6\",\"method\":\"unsubscribe\",\"params\":{\"channel\":\"public:c\"}}")
                        .expect("\"unsubscribe\"");
            } finally {
                ws.close();
            }
            // SockJS: info, the WebSocket transport (frames in JSON arrays), XHR streaming with xhr_send
            get("/connection/info", "\"websocket\"");
            Frames sockJs = Frames.open(http, URI.create("ws://" + host + "/connection/1/t" + i + "/websocket"));
            try {
                sockJs.expect("o");
                sockJs.send(json(List.of(connect))).expect("connect");
            } finally {
                sockJs.close();
            }
            String session = "x" + i + "-" + System.nanoTime();
            CompletableFuture<HttpResponse<java.io.InputStream>> stream = http.sendAsync(
                    HttpRequest.newBuilder(URI.create("http://" + host + "/connection/2/" + session + "/xhr_streaming"))
                            .timeout(TIMEOUT).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            try (var body = stream.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).body()) {
                readUntil(body, "o\n");
                post("/connection/2/" + session + "/xhr_send", json(List.of(connect)), 204);
                readUntil(body, "connect");
            }
            // admin socket: auth with the admin token from /auth/, then info
            String auth = post("/auth/", "password=training", 200);
            String adminToken = auth.replaceAll("(?s).*\"token\"\\s*:\\s*\"([^\"]+)\".*", "$1");
            Frames admin = Frames.open(http, URI.create("ws://" + host + "/socket"));
            try {
                admin.send("{\"method\":\"connect\",\"params\":{\"token\":\"" + adminToken + "\"}}")
                        .expect("\"connect\"");
                admin.send("{\"method\":\"info\",\"params\":{}}").expect("\"info\"");
            } finally {
                admin.close();
            }
            get("/", "<");
            get("/health", "");
            get("/metrics", "rotor_");
        }

        private void api(String body) throws Exception {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + "/api/"))
                    .timeout(TIMEOUT).header("Content-Type", "application/json")
                    .header("X-API-Sign", Hmac.apiSign(SECRET, bytes))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(), HttpResponse.BodyHandlers.ofString());
            check(r, 200, "\"publish\"");
        }

        private void get(String path, String expected) throws Exception {
            check(http.send(HttpRequest.newBuilder(URI.create("http://" + host + path)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofString()), 200, expected);
        }

        private String post(String path, String body, int status) throws Exception {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://" + host + path))
                    .timeout(TIMEOUT).header("Content-Type", path.startsWith("/auth")
                            ? "application/x-www-form-urlencoded" : "text/plain")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            return check(r, status, "");
        }

        private static String check(HttpResponse<String> r, int status, String expected) {
            if (r.statusCode() != status || !r.body().contains(expected)) {
                throw new IllegalStateException(r.request().uri().getPath() + " answered " + r.statusCode() + ": "
                        + abbreviate(r.body()));
            }
            return r.body();
        }

        private static void readUntil(java.io.InputStream in, String expected) throws IOException {
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[4096];
            while (seen.indexOf(expected) < 0) {
                int n = in.read(buf);
                if (n < 0 || seen.length() > 1 << 20) {
                    throw new IllegalStateException("XHR streaming ended without " + expected + ": "
                            + abbreviate(seen.toString()));
                }
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
        }

        private static String json(List<String> frames) {
            StringBuilder sb = new StringBuilder("[");
            for (String f : frames) {
                sb.append(sb.length() > 1 ? "," : "").append('"')
                        .append(f.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
            return sb.append(']').toString();
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }

    /** A JDK WebSocket client whose received text messages queue up to be awaited in order. */
    private static final class Frames implements WebSocket.Listener {
        private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>(1000);
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Frames open(HttpClient http, URI uri) throws Exception {
            Frames f = new Frames();
            f.socket = http.newWebSocketBuilder().connectTimeout(TIMEOUT).buildAsync(uri, f)
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return f;
        }

        Frames send(String text) throws Exception {
            socket.sendText(text, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            return this;
        }

        /** Waits for a received message containing {@code expected}, skipping others (join, leave, pushes). */
        Frames expect(String expected) throws InterruptedException {
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            List<String> skipped = new ArrayList<>();
            while (true) {
                String m = received.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new IllegalStateException("no message with " + expected + " within " + TIMEOUT
                            + "; got " + abbreviate(skipped.toString()));
                }
                if (m.contains(expected)) {
                    return this;
                }
                skipped.add(m);
            }
        }

        void close() {
            socket.abort();
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.offer(partial.toString());
                partial.setLength(0);
            }
            ws.request(1);
            return null;
        }
    }
}
