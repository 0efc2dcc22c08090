package dev.rotor.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Runs {@link Main} in-process through picocli's {@code execute}, with captured output, an injected environment and
 * {@link RecordingServer}s. While the run command's server is "running", {@link #whileRunning} is called with the
 * runner; the harness stops the runner afterwards, so the command returns. Not thread-safe.
 */
final class CliHarness {
    final Map<String, String> env = new HashMap<>();
    final List<RecordingServer> servers = new CopyOnWriteArrayList<>();
    Consumer<ServerRunner> whileRunning = runner -> { };
    Consumer<RecordingServer> onCreate = server -> { };
    Duration shutdownTimeout = Duration.ofSeconds(10);
    EngineFactory engines = EngineFactory.standard();
    Warmup warmup = Warmup.NONE;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    int run(String... args) {
        Main main = new Main(env, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), engines,
                (s, n, e) -> {
                    RecordingServer server = new RecordingServer(s, n, e);
                    onCreate.accept(server);
                    servers.add(server);
                    return server;
                },
                runner -> {
                    try {
                        whileRunning.accept(runner);
                    } finally {
                        runner.stop();
                    }
                },
                shutdownTimeout, warmup);
        return main.newCommandLine().execute(args);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    RecordingServer server() {
        if (servers.size() != 1) {
            throw new AssertionError("expected one server, got " + servers.size());
        }
        return servers.get(0);
    }
}
