package dev.rotor.cli;

import dev.rotor.auth.Hmac;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The client side of {@code rotor cds-training}, in a JVM of its own that {@link TrainingCommand} starts:
 * {@code java -cp rotor.jar dev.rotor.cli.TrainingWorkload HOST:PORT ROUNDS} drives every common path of the
 * training server once per round — WebSocket connect, subscribe, publish, presence, history, ping, a publication from
 * the signed HTTP API, SockJS info, the SockJS WebSocket and XHR-streaming transports, the web interface's login and
 * admin socket, health and metrics — checks every answer, and exits 0, or 1 with the reason on stderr.
 * <p>
 * Why another JVM: the class-data sharing archive holds every class the training JVM loads, and this client's (the
 * JDK's HTTP and WebSocket client, which sets up TLS as it starts: about 900 classes) would otherwise be mapped, and
 * resident, in every server started with the archive (docs/deploying.md, "Class-data sharing"). Confined to the main
 * thread.
 */
public final class TrainingWorkload {
    /** The training server's {@code secret}; {@link TrainingCommand} writes it into its config. */
    static final String SECRET = "cds-training-secret";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private TrainingWorkload() {
    }

    /** {@code HOST:PORT ROUNDS}. */
    public static void main(String[] args) {
        try {
            if (args.length != 2) {
                throw new IllegalArgumentException("usage: TrainingWorkload HOST:PORT ROUNDS");
            }
            Workload w = new Workload(args[0]);
            int rounds = Integer.parseInt(args[1]);
            for (int i = 0; i < rounds; i++) {
                w.round(i);
            }
        } catch (Exception e) {
            System.err.println("cds-training workload: " + e);
            System.exit(1);
        }
        System.exit(0); // the HTTP client's threads would keep the JVM up for a while
    }

    /** The paths of one round against one server; every answer is checked. */
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

        /** Closes with a close frame first, as browsers do, so that the server's close path is trained too. */
        void close() throws Exception {
            try {
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } finally {
                socket.abort();
            }
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
