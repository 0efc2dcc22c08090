package dev.rotor.cli;

import dev.rotor.config.ConfigLoader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code rotor cds-training} (beyond v1, hidden): starts a private server on a free loopback port with a built-in
 * config (memory engine, a namespace with history, presence, join/leave and client publish, the admin socket and
 * web interface, Prometheus metrics), has {@link TrainingWorkload}, in a JVM of its own, drive every common path
 * through it, stops it and exits 0.
 * <p>
 * Its purpose is the class-data-sharing archive: {@code java -XX:ArchiveClassesAtExit=rotor.jsa -jar rotor.jar
 * cds-training} records the classes those paths load in the server, and a server started with
 * {@code -XX:SharedArchiveFile=rotor.jsa} maps them instead of loading them (docs/deploying.md, "Class-data
 * sharing"). The workload checks every answer, so one that stopped exercising a path fails instead of quietly
 * training less. Confined to the executing thread.
 */
@Command(name = "cds-training", hidden = true,
        description = "Run a short built-in workload against a private server (trains the class-data-sharing archive)")
final class TrainingCommand implements Callable<Integer> {
    /** The most of the workload's output kept for the message of a failure. */
    private static final int MAX_REPORTED_OUTPUT = 4096;

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
        int n = Math.max(1, Math.min(rounds, 1000));
        Path dir = Files.createTempDirectory("rotor-cds-training-");
        Path config = dir.resolve("config.json");
        Path workloadLog = dir.resolve("workload.log");
        try {
            Files.writeString(config, """
                    {"secret": "%s", "admin_password": "training", "admin_secret": "training-admin",
                     "prometheus": true,
                     "namespaces": [{"name": "public", "publish": true, "presence": true, "join_leave": true,
                                     "history_size": 10, "history_lifetime": 60, "recover": true}]}
                    """.formatted(TrainingWorkload.SECRET));
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
            String failure;
            try {
                failure = runWorkload("127.0.0.1:" + port, n, workloadLog);
            } finally {
                runner.stop();
            }
            if (failure != null) {
                out.println("cds-training: " + failure);
                out.flush();
                return 1;
            }
            out.println("cds-training: " + rounds + " rounds done");
            out.flush();
            return 0;
        } finally {
            Files.deleteIfExists(workloadLog);
            Files.deleteIfExists(config);
            Files.deleteIfExists(dir);
        }
    }

    /**
     * Runs {@link TrainingWorkload} against {@code host} in a new JVM of this one's runtime and class path (C1 only
     * and a small heap: it starts fast and its speed does not matter), its output into {@code log}. Returns null when
     * it succeeded, else why not, with the start of its output. Bounded: a workload that has not ended within 30 s
     * plus 15 s per round (each of its steps times out after 10 s) is killed.
     */
    private static String runWorkload(String host, int rounds, Path log) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), TrainingWorkload.class.getName(), host,
                Integer.toString(rounds));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        p.getOutputStream().close();
        Duration limit = Duration.ofSeconds(30 + 15L * rounds);
        if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            return "the workload did not end within " + limit.toSeconds() + " s: " + start(log);
        }
        return p.exitValue() == 0 ? null : "the workload failed (exit " + p.exitValue() + "): " + start(log);
    }

    /** The first {@value #MAX_REPORTED_OUTPUT} bytes of {@code file}, as text. */
    private static String start(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(MAX_REPORTED_OUTPUT), StandardCharsets.UTF_8).strip();
        }
    }
}
