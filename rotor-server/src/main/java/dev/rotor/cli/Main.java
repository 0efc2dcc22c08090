package dev.rotor.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Entry point of the {@code rotor} executable: {@code rotor [flags]} runs the server; {@code version},
 * {@code checkconfig}, {@code genconfig} and {@code help} are the subcommands of Centrifugo v1.8.0
 * (configuration.md §5), and {@code health} (beyond v1) probes a running server. Commands return exit codes through {@link CommandLine#execute}; only {@link #main} exits.
 * Immutable; each {@link #newCommandLine()} is confined to the thread that executes it.
 */
public final class Main {
    /** The watchdog of configuration.md §7: a graceful shutdown that takes longer exits with status 1. */
    public static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final Map<String, String> env;
    private final PrintStream out;
    private final PrintStream err;
    private final EngineFactory engines;
    private final ManagedServer.Factory servers;
    private final Consumer<ServerRunner> onStarted;
    private final Duration shutdownTimeout;
    private final Logging logging;
    private final Warmup warmup;

    /** The production setup: process environment, standard streams, {@code RotorServer}, OS signals. */
    public Main() {
        this(System.getenv(), System.out, System.err, EngineFactory.standard(), ManagedServer.rotor(),
                Signals.catchHangupUntilStarted(), SHUTDOWN_TIMEOUT,
                new ConnectionWarmup(EngineFactory.standard(), ManagedServer.rotor()));
    }

    /**
     * A setup for embedding and tests.
     *
     * @param out       standard output: command output and, without a log file, log lines
     * @param err       usage errors
     * @param onStarted called once the server runs; production installs the signal handlers there. The run
     *                  command then blocks until {@link ServerRunner#stop()} completes.
     */
    public Main(Map<String, String> env, PrintStream out, PrintStream err, EngineFactory engines,
                ManagedServer.Factory servers, Consumer<ServerRunner> onStarted, Duration shutdownTimeout) {
        this(env, out, err, engines, servers, onStarted, shutdownTimeout, Warmup.NONE);
    }

    /** As above, with the JIT warm-up the run command does before the ports open ({@code warmup_connections}). */
    public Main(Map<String, String> env, PrintStream out, PrintStream err, EngineFactory engines,
                ManagedServer.Factory servers, Consumer<ServerRunner> onStarted, Duration shutdownTimeout,
                Warmup warmup) {
        this.warmup = Objects.requireNonNull(warmup, "warmup");
        this.env = Map.copyOf(env);
        this.out = Objects.requireNonNull(out, "out");
        this.err = Objects.requireNonNull(err, "err");
        this.engines = Objects.requireNonNull(engines, "engines");
        this.servers = Objects.requireNonNull(servers, "servers");
        this.onStarted = Objects.requireNonNull(onStarted, "onStarted");
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        this.logging = new Logging(out);
    }

    public static void main(String[] args) {
        System.exit(new Main().newCommandLine().execute(args));
    }

    /** A fresh command line with all commands; call {@link CommandLine#execute} on it to get the exit code. */
    public CommandLine newCommandLine() {
        CommandLine cl = new CommandLine(new RunCommand(this));
        cl.addSubcommand("version", new VersionCommand());
        cl.addSubcommand("checkconfig", new CheckConfigCommand(logging, env));
        cl.addSubcommand("genconfig", new GenConfigCommand(logging));
        cl.addSubcommand("health", new HealthCommand());
        cl.addSubcommand("cds-training", new TrainingCommand(this));
        cl.addSubcommand("help", new CommandLine.HelpCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setUsageHelpLongOptionsMaxWidth(28);
        cl.setParameterExceptionHandler(Main::onBadArguments);
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            LoggerFactory.getLogger(Main.class).error(LogMarkers.FATAL, "Unexpected error: " + e, e);
            return 1;
        });
        return cl;
    }

    /** Prints the error and the usage. */
    private static int onBadArguments(ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        PrintWriter w = cmd.getErr();
        w.println("Error: " + describe(e));
        cmd.usage(w);
        w.flush();
        // v1 compat: v1.8.0 exits with status 0 after an unknown flag (configuration.md §5), which hides typos
        // from scripts and service managers; Rotor exits with picocli's usage-error status 2.
        return cmd.getCommandSpec().exitCodeOnInvalidInput();
    }

    /** v1's wording for unknown flags and commands, picocli's for everything else. */
    private static String describe(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.get(0);
            if (first.startsWith("-")) {
                int eq = first.indexOf('=');
                return "unknown flag: " + (eq > 0 ? first.substring(0, eq) : first);
            }
            return "unknown command \"" + first + "\" for \"" + e.getCommandLine().getCommandName() + "\"";
        }
        return e.getMessage();
    }

    Map<String, String> env() { return env; }

    Logging logging() { return logging; }

    EngineFactory engines() { return engines; }

    ManagedServer.Factory servers() { return servers; }

    Consumer<ServerRunner> onStarted() { return onStarted; }

    Duration shutdownTimeout() { return shutdownTimeout; }

    Warmup warmup() { return warmup; }
}
