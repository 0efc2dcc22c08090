package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.testkit.redis.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Rotor server started the way operators start it: {@code bin/rotor} (so with {@code config/jvm.options}) as a
 * child process in its own directory, with a config file, {@code ROTOR_JAVA_OPTS} and flags, serving on a free
 * loopback port. Because {@code bin/rotor} execs {@code java}, the child's PID is the server JVM's, whose memory
 * and command line are read from {@code /proc}. Not thread-safe, except {@link #rssBytes}, {@link #alive} and
 * {@link #log}. {@link #close} stops it with SIGTERM, then SIGKILL.
 */
public final class RotorProcess implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB$", Pattern.MULTILINE);

    private final Process process;
    private final Path log;
    private final int port;

    private RotorProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** The repository's root: the parent of the module failsafe runs in. */
    public static Path repositoryRoot() {
        return Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath().getParent();
    }

    private static boolean prepared;

    /**
     * {@code bin/rotor}, after one {@code bin/rotor version} per test JVM: that run does what a first start does
     * once per build (build the jar when stale, make the class-data sharing archive), so a test that picks a free
     * port and then starts the server does not leave the port unused for the seconds that takes.
     */
    public static synchronized Path binRotor() {
        Path script = repositoryRoot().resolve("bin/rotor");
        assertThat(script).isExecutable();
        if (!prepared) {
            try {
                Process p = new ProcessBuilder(script.toString(), "version").redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(p.waitFor(10, java.util.concurrent.TimeUnit.MINUTES)).as("bin/rotor version").isTrue();
                assertThat(p.exitValue()).as("bin/rotor version: %s", out).isZero();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            prepared = true;
        }
        return script;
    }

    /**
     * Writes {@code configJson} to {@code dir/config.json} and runs {@code bin/rotor --config=config.json
     * --port=P --address=127.0.0.1} plus {@code flags} in {@code dir} with {@code ROTOR_JAVA_OPTS=javaOpts}; waits
     * until the port accepts connections.
     */
    public static RotorProcess start(Path dir, String configJson, String javaOpts, String... flags) {
        Path script = binRotor();
        int port = RedisServer.freePort();
        Path log = dir.resolve("rotor.log");
        List<String> command = new ArrayList<>(List.of(script.toString(), "--config=config.json", "--port=" + port,
                "--address=127.0.0.1"));
        command.addAll(List.of(flags));
        Process process;
        try {
            Files.writeString(dir.resolve("config.json"), configJson);
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            Map<String, String> env = pb.environment();
            env.put("ROTOR_JAVA_OPTS", javaOpts);
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RotorProcess rotor = new RotorProcess(process, log, port);
        try {
            await().atMost(START_TIMEOUT).pollInterval(Duration.ofMillis(100)).until(() -> {
                assertThat(process.isAlive()).as("bin/rotor is running: %s", rotor.log()).isTrue();
                try (Socket ignored = new Socket("127.0.0.1", port)) {
                    return true;
                } catch (IOException e) {
                    return false;
                }
            });
        } catch (RuntimeException | AssertionError e) {
            rotor.close();
            throw e;
        }
        return rotor;
    }

    public int port() {
        return port;
    }

    /** The server JVM's PID ({@code bin/rotor} execs {@code java}). */
    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    /** The resident set size of the server JVM, from {@code VmRSS} in {@code /proc/PID/status}. */
    public long rssBytes() {
        String status = proc("status");
        Matcher m = VM_RSS.matcher(status);
        if (!m.find()) {
            throw new AssertionError("no VmRSS in /proc/" + pid() + "/status: " + status);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** The server JVM's command line, one argument per element, from {@code /proc/PID/cmdline}. */
    public List<String> commandLine() {
        String raw = proc("cmdline");
        return List.of(raw.split("\0"));
    }

    private String proc(String file) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(pid()), file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new AssertionError("cannot read /proc/" + pid() + "/" + file + " (server exited?): " + log(), e);
        }
    }

    /** Everything the server printed so far (stdout and stderr). */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Stops the server with SIGTERM, or SIGKILL when it has not exited 15 s later. Idempotent. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(15, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
