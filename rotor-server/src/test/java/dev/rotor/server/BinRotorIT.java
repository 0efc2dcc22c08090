package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.auth.Hmac;
import dev.rotor.server.attack.RotorProcess;
import dev.rotor.testkit.WsTestClient;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's server command for real: {@code bin/rotor --config=FILE --port=PORT --address=127.0.0.1} as a child
 * process (the shaded jar is built by the package phase, before failsafe runs), a client and an API call against
 * it, SIGHUP reloading the file, then SIGTERM: the client is told {@code shutting down}, the PID file disappears,
 * the process exits 0. And the JVM options file {@code config/jvm.options} reaching the server JVM, before
 * {@code ROTOR_JAVA_OPTS}.
 */
class BinRotorIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    @Test
    void binRotorServesClientsAndTheApiAndShutsDownGracefully() throws Exception {
        assertHangupIsNotIgnored();
        Path script = RotorProcess.binRotor();
        Files.writeString(dir.resolve("rotor.json"),
                "{\"secret\": \"bin-secret\", \"presence\": true, \"warmup_connections\": 500}");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(script.toString(), "--config=rotor.json", "--port=" + port,
                "--address=127.0.0.1", "--pid_file=rotor.pid", "--name=bin-node")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(p.isAlive()).as("bin/rotor is running: %s", Files.readString(log)).isTrue();
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            assertThat(Files.readString(dir.resolve("rotor.pid")).trim()).isEqualTo(Long.toString(p.pid()));

            WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + port + "/connection/websocket"), WAIT);
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            ws.send("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"u\",\"timestamp\":\"" + ts
                    + "\",\"token\":\"" + Hmac.clientToken("bin-secret", "u", ts, "") + "\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"method\":\"connect\"").doesNotContain("error");
            ws.send("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"news\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"status\":true");

            String body = "{\"method\":\"publish\",\"params\":{\"channel\":\"news\",\"data\":{\"via\":\"bin/rotor\"}}}";
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/")).header("Content-Type", "application/json")
                    .header("X-API-Sign", Hmac.apiSign("bin-secret", body.getBytes(StandardCharsets.UTF_8)))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.body()).isEqualTo("[{\"method\":\"publish\",\"error\":null,\"body\":null}]");
            assertThat(ws.awaitFrame(WAIT)).endsWith("\"channel\":\"news\",\"data\":{\"via\":\"bin/rotor\"}}}");

            // SIGHUP reloads the file: a namespace added to it is usable by the next command
            ws.send("{\"uid\":\"3\",\"method\":\"subscribe\",\"params\":{\"channel\":\"late:x\"}}");
            assertThat(ws.awaitFrame(WAIT)).contains("\"error\":\"namespace not found\"");
            Files.writeString(dir.resolve("rotor.json"),
                    "{\"secret\": \"bin-secret\", \"presence\": true, \"namespaces\": [{\"name\": \"late\"}]}");
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(Files.readString(log))
                    .contains("Signal received: hangup").contains("Configuration successfully reloaded"));
            ws.send("{\"uid\":\"4\",\"method\":\"subscribe\",\"params\":{\"channel\":\"late:x\"}}");
            assertThat(ws.awaitFrame(WAIT)).isEqualTo("{\"uid\":\"4\",\"method\":\"subscribe\",\"body\":{\"channel\":"
                    + "\"late:x\",\"status\":true,\"last\":\"\",\"messages\":null,\"recovered\":false}}");

            p.toHandle().destroy(); // SIGTERM
            assertThat(ws.awaitClose(Duration.ofSeconds(10)))
                    .isEqualTo(new WsTestClient.Close(3000, "{\"reason\":\"shutting down\",\"reconnect\":true}"));
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isZero();
            assertThat(dir.resolve("rotor.pid")).doesNotExist();
            assertThat(Files.readString(log)).contains("Start serving").contains("Signal received: terminated");
            // the JIT warm-up ran first; its private server logs nothing of its own
            assertThat(Files.readString(log)).containsPattern("JIT warm-up: [1-9]\\d* connections in \\d+ ms")
                    .containsOnlyOnce("Start serving").containsOnlyOnce("Netty transport");
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * A SIGHUP while the server is still starting (a {@code systemctl reload} right after {@code start}) does not take
     * the JVM's default action, which ends the process: it is remembered, and the server reloads once it runs.
     */
    @Test
    void aHangupWhileTheServerStartsIsRememberedAndReloadsOnceItRuns() throws Exception {
        assertHangupIsNotIgnored();
        Path script = RotorProcess.binRotor();
        Files.writeString(dir.resolve("rotor.json"), "{\"secret\": \"s\"}");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = dir.resolve("out.log");
        Process p = new ProcessBuilder(script.toString(), "--config=rotor.json", "--port=" + port,
                "--address=127.0.0.1").directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        try {
            // the first log line comes from the start-up itself, after the hangup handler is in place
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5)).untilAsserted(() ->
                    assertThat(Files.readString(log)).contains("Config path:"));
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor()).isZero();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(p.isAlive()).as("still running after the hangup: %s", Files.readString(log)).isTrue();
                assertThat(Files.readString(log)).contains("Start serving")
                        .contains("Configuration successfully reloaded");
            });
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                assertThat(p.isAlive()).isTrue();
            }
        } finally {
            p.destroy();
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }

    /**
     * Issue 10, point 7: the options of {@code config/jvm.options} are on the server JVM's command line, in file order,
     * before those of {@code ROTOR_JAVA_OPTS} and before {@code -jar}, and the JVM really runs with
     * {@code ExitOnOutOfMemoryError} on (read back from the live JVM with {@code jcmd}).
     */
    @Test
    void binRotorPassesTheJvmOptionsFileBeforeRotorJavaOpts() throws Exception {
        List<String> fileOptions = jvmOptionsFile();
        assertThat(fileOptions).contains("-XX:+ExitOnOutOfMemoryError");
        try (RotorProcess rotor = RotorProcess.start(dir, "{\"secret\": \"s\"}", "-Xmx100m -Dattack.marker=1")) {
            List<String> args = rotor.commandLine();
            int jar = args.indexOf("-jar");
            int user = args.indexOf("-Xmx100m");
            assertThat(jar).as("command line %s", args).isPositive();
            assertThat(user).as("ROTOR_JAVA_OPTS come right before -jar: %s", args).isEqualTo(jar - 2);
            assertThat(args.subList(user - fileOptions.size(), user)).as("command line %s", args)
                    .isEqualTo(fileOptions);
            assertThat(jcmdFlag(rotor.pid(), "ExitOnOutOfMemoryError")).isEqualTo("true");
        }
    }

    /**
     * {@code netty_transport: io_uring} runs from the shaded {@code rotor.jar}: its native library (which shading
     * keeps under {@code META-INF/native/}, as epoll's) loads, and the API answers over an io_uring socket.
     */
    @Test
    void binRotorRunsOnIoUringFromTheShadedJar() throws Exception {
        try (RotorProcess rotor = RotorProcess.start(dir, "{\"secret\": \"s\", \"netty_transport\": \"io_uring\"}",
                "")) {
            assertThat(rotor.log()).contains("Netty transport: io_uring (netty_transport: io_uring)");
            HttpResponse<String> r = channels(rotor.port());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("[{\"method\":\"channels\",\"error\":null,\"body\":{\"data\":[]}}]");
        }
    }

    /** A transport the machine cannot run (here: Netty's native code turned off) stops startup with Netty's reason. */
    @Test
    void anUnavailableTransportStopsStartupWithNettysReason() throws Exception {
        Path script = RotorProcess.binRotor();
        Files.writeString(dir.resolve("rotor.json"), "{\"secret\": \"s\", \"netty_transport\": \"io_uring\"}");
        Path log = dir.resolve("out.log");
        ProcessBuilder pb = new ProcessBuilder(script.toString(), "--config=rotor.json", "--port=0",
                "--address=127.0.0.1").directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("ROTOR_JAVA_OPTS", "-Dio.netty.transport.noNative=true");
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("bin/rotor exits: %s", Files.readString(log)).isTrue();
            assertThat(p.exitValue()).as(Files.readString(log)).isNotZero();
            assertThat(Files.readString(log)).contains("Unable to start server: netty_transport: io_uring is not "
                    + "available on this machine: Native transport was explicit disabled with "
                    + "-Dio.netty.transport.noNative=true; choose another of auto, epoll, nio");
        } finally {
            p.destroyForcibly();
        }
    }

    /**
     * Netty's Flight Recorder events are off in {@code config/jvm.options}: the first buffer a server allocates (here
     * for its first API request) would otherwise register Netty's allocator events with the JDK's Flight Recorder,
     * about 0.2 s of CPU and 15 MB of memory (docs/deploying.md, "JVM options file"): the event classes and the
     * handlers the Flight Recorder generates for them are loaded. (Netty asks whether the Flight Recorder is available
     * either way, which loads a few of its classes from the class-data sharing archive.)
     * {@code ROTOR_JAVA_OPTS=-Dio.netty.jfr.enabled=true} brings the events back, which shows that the test sees them.
     */
    @Test
    void theFirstRequestDoesNotSetUpTheFlightRecorder() throws Exception {
        assertThat(jvmOptionsFile()).contains("-Dio.netty.jfr.enabled=false");
        assertThat(eventClassesAfterOneRequest("")).as("event classes loaded").isZero();
        assertThat(eventClassesAfterOneRequest("-Dio.netty.jfr.enabled=true"))
                .as("event classes loaded with Netty's events on").isGreaterThanOrEqualTo(2);
    }

    /**
     * Starts bin/rotor with class loading logged, answers one API request, and counts the classes of Netty's
     * allocator events and of the Flight Recorder's event handlers loaded.
     */
    private long eventClassesAfterOneRequest(String javaOpts) throws Exception {
        try (RotorProcess rotor = RotorProcess.start(dir, "{\"secret\": \"s\"}",
                "-Xlog:class+load=info " + javaOpts)) {
            HttpResponse<String> r = channels(rotor.port());
            assertThat(r.statusCode()).isEqualTo(200);
            // the JVM writes each class loading line before the class is used, so before the answer was sent
            Pattern event = Pattern.compile(
                    " (io\\.netty\\.buffer\\.\\w+Event|jdk\\.jfr\\.internal\\.handlers\\.\\S+) ");
            return rotor.log().lines().filter(l -> event.matcher(l).find()).count();
        }
    }

    /** A user's {@code ROTOR_JAVA_OPTS} override the file: the last of two contradicting options wins. */
    @Test
    void rotorJavaOptsOverrideTheJvmOptionsFile() throws Exception {
        try (RotorProcess rotor = RotorProcess.start(dir, "{\"secret\": \"s\"}", "-XX:-ExitOnOutOfMemoryError")) {
            assertThat(rotor.commandLine()).containsSubsequence("-XX:+ExitOnOutOfMemoryError",
                    "-XX:-ExitOnOutOfMemoryError", "-jar");
            assertThat(jcmdFlag(rotor.pid(), "ExitOnOutOfMemoryError")).isEqualTo("false");
        }
    }

    /**
     * Issue 11, point 3: bin/rotor makes a class-data sharing archive with {@code rotor cds-training} once per build
     * and JDK, and starts the JVM with it: Rotor's own classes then come from the archive ("shared objects file
     * (top)" is the dynamic archive), not from the jar. {@code ROTOR_CDS=off} starts without it.
     */
    @Test
    void binRotorStartsWithAClassDataSharingArchiveOfRotorsClasses() throws Exception {
        Path root = RotorProcess.repositoryRoot();
        String shared = classSource(root, "on");
        assertThat(shared).as("class loading log of bin/rotor version")
                .contains("dev.rotor.cli.Main source: shared objects file (top)");
        Path archive = root.resolve("rotor-server/target/rotor.jsa");
        assertThat(archive).isRegularFile();
        // the stamp: the java binary the archive was made with, its and the jar's modification times, the jar's size
        assertThat(Files.readString(root.resolve("rotor-server/target/rotor.jsa.stamp")))
                .matches("/\\S+/java \\d+ \\d+ \\d+\\n");
        // the server's classes, not those of the training's client (it runs in a JVM of its own): none of the JDK's
        // HTTP client, which would be mapped and resident in every server
        String archived = archivedClasses(archive, root.resolve("rotor-server/target/rotor.jar"));
        assertThat(archived).contains("dev.rotor.server.RotorServer", "io.netty.handler.codec.http.websocketx.")
                .doesNotContain("jdk.internal.net.http.");
        long made = Files.getLastModifiedTime(archive).toMillis();
        assertThat(classSource(root, "on")).doesNotContain("creating the class-data sharing archive");
        assertThat(Files.getLastModifiedTime(archive).toMillis()).as("made once per build").isEqualTo(made);
        assertThat(classSource(root, "off")).containsPattern("dev.rotor.cli.Main source: file:\\S+/rotor.jar")
                .doesNotContain("shared objects file (top)");
    }

    /** The classes in a class-data sharing archive, as {@code java -XX:+PrintSharedArchiveAndExit} lists them. */
    private static String archivedClasses(Path archive, Path jar) throws Exception {
        Process p = new ProcessBuilder("java", "-XX:SharedArchiveFile=" + archive, "-XX:+PrintSharedArchiveAndExit",
                "-jar", jar.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** {@code bin/rotor version} with class loading logged and {@code ROTOR_CDS} set; stdout and stderr. */
    private static String classSource(Path root, String cds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(root.resolve("bin/rotor").toString(), "version")
                .redirectErrorStream(true);
        pb.environment().put("ROTOR_CDS", cds);
        pb.environment().put("ROTOR_JAVA_OPTS", "-Xlog:class+load=info");
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /**
     * Fails loudly when this JVM, and so every process it starts, inherited SIGHUP as ignored (a suite started
     * under {@code nohup}): the JVM cannot catch an ignored SIGHUP, so a reload test could only time out.
     */
    private static void assertHangupIsNotIgnored() throws java.io.IOException {
        String mask = Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("SigIgn:"))
                .map(l -> l.substring("SigIgn:".length()).strip()).findFirst().orElse("0");
        assertThat(Long.parseUnsignedLong(mask, 16) & 1L)
                .as("SIGHUP is ignored in this environment (started under nohup?): run the suite without nohup")
                .isZero();
    }

    /** The answer to the API command {@code channels}, signed with the secret {@code s}. */
    private static HttpResponse<String> channels(int port) throws Exception {
        String body = "{\"method\":\"channels\"}";
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/"))
                .header("Content-Type", "application/json")
                .header("X-API-Sign", Hmac.apiSign("s", body.getBytes(StandardCharsets.UTF_8)))
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(WAIT).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The options of {@code config/jvm.options}, parsed as bin/rotor documents it (trimmed, no blanks or #). */
    private static List<String> jvmOptionsFile() throws java.io.IOException {
        return Files.readAllLines(RotorProcess.repositoryRoot().resolve("config/jvm.options")).stream()
                .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    /** The value of a boolean JVM flag of a running JVM, from {@code jcmd PID VM.flags -all}. */
    private static String jcmdFlag(long pid, String flag) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "VM.flags", "-all")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out.lines().map(String::strip).filter(l -> l.matches("bool " + flag + "\\s+=.*"))
                .map(l -> l.replaceAll("bool " + flag + "\\s+=\\s+(\\w+).*", "$1")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + flag + " in jcmd's output: " + out));
    }
}
