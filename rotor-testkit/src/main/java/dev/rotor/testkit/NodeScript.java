package dev.rotor.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * One run of a Node script from the JavaScript test harness ({@code rotor-server/src/test/js}), typically a scenario
 * that drives the real Centrifugo v1 browser client ({@code centrifuge@1.5.0}) against a server.
 *
 * <p>The script gets its parameters as one JSON argument and prints one JSON object per line on stdout, each with an
 * {@code "event"} field; it ends with {@code {"event":"done"}} and exit code 0, or {@code {"event":"fail"}} and a
 * non-zero exit code. Commands are written to its stdin, one per line. Every wait here is bounded: a timeout throws
 * an {@link AssertionError} carrying the transcript (events and stderr). {@link #close()} kills the process (and its
 * children) if it is still running, so use try-with-resources.
 *
 * <p>Thread-safe. The harness directory comes from the system property {@value #JS_DIR_PROPERTY} (set by the Maven
 * surefire/failsafe configuration), or is found by walking up from the working directory.
 */
public final class NodeScript implements AutoCloseable {
    /** System property naming the harness directory (the one holding {@code package.json}). */
    public static final String JS_DIR_PROPERTY = "rotor.js.dir";
    /** System property naming the Node executable; {@code node} from the PATH by default. */
    public static final String NODE_PROPERTY = "rotor.node";

    private static final String HARNESS_RELATIVE = "rotor-server/src/test/js";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String script;
    private final Process process;
    private final Writer stdin;
    private final Object lock = new Object();
    /** Every line read from stdout, parsed; guarded by {@code lock}. */
    private final List<JsonNode> events = new ArrayList<>();
    /** Indexes of events already returned by {@link #awaitEvent}; guarded by {@code lock}. */
    private final BitSet consumed = new BitSet();
    /** Everything read from stderr; guarded by {@code lock}. */
    private final StringBuilder stderr = new StringBuilder();
    /** True once stdout reached end of stream (the process is exiting); guarded by {@code lock}. */
    private boolean stdoutClosed;

    private NodeScript(String script, Process process) {
        this.script = script;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        startReader("stdout", process.getInputStream(), this::onStdoutLine, this::onStdoutClosed);
        startReader("stderr", process.getErrorStream(), this::onStderrLine, () -> { });
    }

    /**
     * Starts {@code node <harness>/<script> <params as JSON>} with the harness directory as working directory.
     *
     * @param script path relative to the harness directory, e.g. {@code scenarios/connect.js}
     * @param params parameters, serialised to one JSON object
     */
    public static NodeScript start(String script, Map<String, ?> params) {
        JsonNode tree = JSON.valueToTree(params);
        return start(script, tree);
    }

    /** Same as {@link #start(String, Map)} with the parameters already as a JSON object. */
    public static NodeScript start(String script, JsonNode params) {
        Path dir = harnessDir();
        Path file = dir.resolve(script);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("No such harness script: " + file);
        }
        String node = System.getProperty(NODE_PROPERTY, "node");
        ProcessBuilder pb = new ProcessBuilder(node, file.toString(), params.toString()).directory(dir.toFile());
        try {
            return new NodeScript(script, pb.start());
        } catch (IOException e) {
            throw new IllegalStateException("Cannot run '" + node + "' (Node.js 18+ is needed for the JavaScript "
                    + "client tests; bin/test installs it when run as root): " + e.getMessage(), e);
        }
    }

    /**
     * The installed harness directory. Fails with instructions when it cannot be found or its npm dependencies
     * are not installed.
     */
    public static Path harnessDir() {
        Path dir = locateHarnessDir();
        if (!Files.isDirectory(dir.resolve("node_modules").resolve("centrifuge"))) {
            throw new IllegalStateException("The JavaScript test harness in " + dir + " is not installed "
                    + "(node_modules/centrifuge is missing). Run bin/test from the repository root, which runs "
                    + "'npm ci' there, or run 'npm ci' in " + dir + " yourself.");
        }
        return dir;
    }

    private static Path locateHarnessDir() {
        String configured = System.getProperty(JS_DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Paths.get(configured).toAbsolutePath().normalize();
            if (!Files.isRegularFile(dir.resolve("package.json"))) {
                throw new IllegalStateException("System property " + JS_DIR_PROPERTY + " points to " + dir
                        + ", which has no package.json");
            }
            return dir;
        }
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve(HARNESS_RELATIVE);
            if (Files.isRegularFile(candidate.resolve("package.json"))) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("Cannot find the JavaScript test harness (" + HARNESS_RELATIVE
                + ") above " + Paths.get("").toAbsolutePath() + "; set -D" + JS_DIR_PROPERTY + "=<dir>");
    }

    /**
     * Waits for the next event named {@code event} that no earlier {@code awaitEvent} call returned. Events are
     * matched in the order the script printed them.
     */
    public JsonNode awaitEvent(String event, Duration timeout) {
        return awaitEvent("event \"" + event + "\"", e -> event.equals(e.path("event").asText()), timeout);
    }

    /**
     * Waits for the next event matching {@code match} that no earlier {@code awaitEvent} call returned. Fails at
     * once if the script exits without printing it.
     */
    public JsonNode awaitEvent(String description, Predicate<JsonNode> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (true) {
                for (int i = consumed.nextClearBit(0); i < events.size(); i = consumed.nextClearBit(i + 1)) {
                    if (match.test(events.get(i))) {
                        consumed.set(i);
                        return events.get(i);
                    }
                }
                if (stdoutClosed) {
                    throw new AssertionError(script + " ended without " + description + "\n" + transcriptLocked());
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("Timed out after " + timeout.toMillis() + " ms waiting for "
                            + description + " from " + script + "\n" + transcriptLocked());
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("Interrupted waiting for " + description, e);
                }
            }
        }
    }

    /** All events printed so far, in order (non-JSON lines appear as {@code {"event":"stdout","line":...}}). */
    public List<JsonNode> events() {
        synchronized (lock) {
            return List.copyOf(events);
        }
    }

    /** The events named {@code event} printed so far, in order. */
    public List<JsonNode> events(String event) {
        synchronized (lock) {
            return events.stream().filter(e -> event.equals(e.path("event").asText())).toList();
        }
    }

    /** Writes one command line to the script's stdin (the harness records it as a {@code command} event). */
    public void send(String command) {
        try {
            stdin.write(command + "\n");
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write to " + script + " (has it exited?)\n" + transcript(), e);
        }
    }

    /** Waits for the script to exit and returns its exit code; on timeout kills it and throws. */
    public int awaitExit(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                kill();
                throw new AssertionError(script + " did not exit within " + timeout.toMillis()
                        + " ms and was killed\n" + transcript());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("Interrupted waiting for " + script, e);
        }
        awaitStdoutClosed();
        return process.exitValue();
    }

    /**
     * Waits for the script to exit, asserts it succeeded (exit code 0 and a final {@code done} event) and returns
     * all its events.
     */
    public List<JsonNode> awaitSuccess(Duration timeout) {
        int code = awaitExit(timeout);
        List<JsonNode> all = events();
        boolean done = !all.isEmpty() && "done".equals(all.get(all.size() - 1).path("event").asText());
        if (code != 0 || !done) {
            throw new AssertionError(script + " failed with exit code " + code + "\n" + transcript());
        }
        return all;
    }

    /** Events and stderr so far, for failure messages. */
    public String transcript() {
        synchronized (lock) {
            return transcriptLocked();
        }
    }

    private String transcriptLocked() {
        StringBuilder sb = new StringBuilder("--- events of ").append(script).append(" ---\n");
        events.forEach(e -> sb.append(e).append('\n'));
        sb.append("--- stderr ---\n").append(stderr);
        return sb.toString();
    }

    /** Kills the script and its child processes if still running. */
    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitStdoutClosed() {
        // The process has exited; the reader thread needs a moment to drain the pipe.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (lock) {
            while (!stdoutClosed) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void onStdoutLine(String line) {
        JsonNode event;
        try {
            event = JSON.readTree(line);
        } catch (JsonProcessingException e) {
            event = null;
        }
        if (event == null || !event.isObject() || !event.has("event")) {
            ObjectNode raw = JSON.createObjectNode();
            raw.put("event", "stdout");
            raw.put("line", line);
            event = raw;
        }
        synchronized (lock) {
            events.add(event);
            lock.notifyAll();
        }
    }

    private void onStdoutClosed() {
        synchronized (lock) {
            stdoutClosed = true;
            lock.notifyAll();
        }
    }

    private void onStderrLine(String line) {
        synchronized (lock) {
            stderr.append(line).append('\n');
        }
    }

    private void startReader(String stream, InputStream in, Consumer<String> onLine, Runnable onEnd) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    onLine.accept(line);
                }
            } catch (IOException e) {
                onLine.accept("<" + stream + " read failed: " + e + ">");
            } finally {
                onEnd.run();
            }
        }, "node-" + stream + "-" + script);
        t.setDaemon(true);
        t.start();
    }
}
