package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.ConfigFormat;
import dev.rotor.config.ConfigGenerator;
import dev.rotor.config.ConfigLoader;
import dev.rotor.config.ConfigParseException;
import dev.rotor.config.RotorConfig;
import dev.rotor.config.RotorVersion;
import dev.rotor.engine.Engine;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ByteCounts;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one server process: the startup sequence of configuration.md §6 with v1's log lines, SIGHUP reloads and the
 * graceful shutdown of §7. Signals are wired by the caller, which calls {@link #reload()} and {@link #stop()}.
 * Thread-safe: lifecycle changes are serialised by {@code lock}.
 */
public final class ServerRunner {

    private static final Logger log = LoggerFactory.getLogger(ServerRunner.class);
    /**
     * The longest a warm-up may delay the start: 5,000 connections take ~3 s on 2 cores (docs/benchmarks.md,
     * "Warm-up at start"); a slower machine gets fewer.
     */
    static final Duration WARMUP_LIMIT = Duration.ofSeconds(5);

    private enum State { NEW, RUNNING, STOPPING, STOPPED }

    private final ConfigLoader loader;
    private final Logging logging;
    private final EngineFactory engines;
    private final ManagedServer.Factory servers;
    private final Duration shutdownTimeout;
    private final Warmup warmup;
    private final Object lock = new Object();
    /** Set by {@link #stop()} before it waits for {@code lock}, so that a warm-up in the start sequence ends early. */
    private volatile boolean stopRequested;
    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Guarded by {@code lock}. */
    private State state = State.NEW;
    /** Guarded by {@code lock}; non-null once started. */
    private RotorConfig config;
    /** Guarded by {@code lock}; non-null while running. */
    private ManagedServer server;
    /** Guarded by {@code lock}; the exit code once stopped. */
    private int exitCode;
    /** Guarded by {@code lock}; the unknown-key warnings already logged, so each is logged once per process. */
    private final Set<String> warnedUnknownKeys = new HashSet<>();

    /**
     * @param shutdownTimeout the watchdog of §7: after this, {@link #stop()} gives up and reports exit status 1
     */
    public ServerRunner(ConfigLoader loader, Logging logging, EngineFactory engines, ManagedServer.Factory servers,
                        Duration shutdownTimeout) {
        this(loader, logging, engines, servers, shutdownTimeout, Warmup.NONE);
    }

    /**
     * @param warmup the JIT warm-up, run with {@code warmup_connections} connections once the engine is created
     *               (a Redis engine connects only when the server starts) and before the server is created
     */
    public ServerRunner(ConfigLoader loader, Logging logging, EngineFactory engines, ManagedServer.Factory servers,
                        Duration shutdownTimeout, Warmup warmup) {
        this.warmup = Objects.requireNonNull(warmup, "warmup");
        this.loader = Objects.requireNonNull(loader, "loader");
        this.logging = Objects.requireNonNull(logging, "logging");
        this.engines = Objects.requireNonNull(engines, "engines");
        this.servers = Objects.requireNonNull(servers, "servers");
        this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
    }

    /**
     * Reads the configuration, sets up logging, writes the PID file, creates the engine and starts the server.
     * Every failure is logged as one fatal line.
     *
     * @return 0 when the server runs, 1 on a fatal error (nothing is left running then)
     */
    public int start() {
        synchronized (lock) {
            if (state != State.NEW) {
                throw new IllegalStateException("already started");
            }
            int code = startLocked();
            if (code != 0) {
                exitCode = code;
                state = State.STOPPED;
                stopped.countDown();
            }
            return code;
        }
    }

    /** The startup sequence proper, called with {@code lock} held; sets the state to running on success. */
    private int startLocked() {
        logging.configureDefault();
        Path file = loader.file();
        QuickStart generated = generateIfMissing(file);

        ConfigLoader.Loaded loaded;
        try {
            loaded = loader.load();
        } catch (ConfigParseException e) {
            return fatal("Error parsing configuration: " + e.getMessage());
        } catch (ConfigException e) {
            return fatal("Error validating config: " + e.getMessage());
        }
        RotorConfig c = loaded.config();
        try {
            logging.configure(LogLevel.parse(c.logLevel()), c.logFile());
        } catch (IOException e) {
            return fatal("Unable to open log file " + c.logFile() + ": " + describe(e));
        }
        if (generated != null && generated.ok()) {
            log.info(generated.message());
        } else if (generated != null) {
            log.warn(generated.message());
        }
        if (!loaded.fileFound()) {
            log.warn("No config file found");
        }
        warnUnknownKeys(loaded.unknownKeys());
        if (!c.pidFile().isEmpty()) {
            try {
                PidFile.write(Path.of(c.pidFile()));
            } catch (IOException e) {
                return fatal("Unable to write PID file " + c.pidFile() + ": " + describe(e));
            }
        }
        if (c.server().debug()) {
            log.warn("Go's pprof endpoints under /debug/pprof/ have no JVM equivalent and are not served; use JFR "
                    + "(jcmd <pid> JFR.start) to profile Rotor");
        }
        Engine engine;
        try {
            engine = engines.create(c);
        } catch (ConfigException e) {
            removePidFile(c);
            return fatal(e.getMessage());
        }
        logStartup(c, file, engine);
        warmUp(c.warmupConnections());
        ManagedServer s = servers.create(c, engine);
        try {
            s.start();
        } catch (Exception e) {
            engine.close();
            removePidFile(c);
            return fatal("Unable to start server: " + describe(e));
        }
        config = c;
        server = s;
        state = State.RUNNING;
        return 0;
    }

    /**
     * The warm-up before the ports open (docs/configuration.md, {@code warmup_connections}). Its private server logs
     * nothing; one line tells what it did. A failure is a warning: the server starts cold, as without a warm-up.
     */
    private void warmUp(int connections) {
        if (connections == 0) {
            return;
        }
        try {
            Warmup.Result r = logging.quietly(() -> warmup.run(connections, WARMUP_LIMIT, () -> stopRequested));
            if (r.connections() > 0) {
                log.info("JIT warm-up: {} connections in {} ms", r.connections(), r.took().toMillis());
            }
        } catch (Exception e) {
            log.warn("JIT warm-up failed, starting without it: {}", describe(e));
        }
    }

    /**
     * Reloads the configuration (SIGHUP, §7): re-reads the file, re-applies logging and swaps in the new node
     * configuration. On any error the old configuration stays and the error is logged as critical.
     *
     * @return true when the new configuration was applied
     */
    public boolean reload() {
        synchronized (lock) {
            if (state != State.RUNNING) {
                return false;
            }
            log.info("Reloading configuration");
            ConfigLoader.Reloaded r = loader.reload(config);
            if (!r.ok()) {
                log.error(LogMarkers.CRITICAL, r.error().orElseThrow());
                return false;
            }
            RotorConfig c = r.config();
            try {
                logging.configure(LogLevel.parse(c.logLevel()), c.logFile());
            } catch (IOException e) {
                log.error(LogMarkers.CRITICAL, "Unable to open log file {}: {}", c.logFile(), describe(e));
                return false;
            }
            warnUnknownKeys(r.unknownKeys());
            server.reload(c.node());
            config = c;
            log.info("Configuration successfully reloaded");
            return true;
        }
    }

    /**
     * Graceful shutdown (SIGINT/SIGTERM, §7): asks the server to shut down, waits for it at most the shutdown
     * timeout, and removes the PID file. Idempotent; a no-op unless running.
     *
     * @return the process exit status: 0, or 1 when the watchdog fired
     */
    public int stop() {
        stopRequested = true;
        ManagedServer s;
        RotorConfig c;
        synchronized (lock) {
            if (state != State.RUNNING) {
                return exitCode;
            }
            state = State.STOPPING;
            s = server;
            c = config;
        }
        log.info("Shutting down");
        int code = 0;
        try {
            s.shutdown().get(shutdownTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            long ms = shutdownTimeout.toMillis();
            log.error(LogMarkers.FATAL, "Shutdown did not finish within {}",
                    ms % 1000 == 0 ? ms / 1000 + " seconds" : ms + " milliseconds");
            code = 1;
        } catch (ExecutionException e) {
            log.error("Error while shutting down: {}", describe(e.getCause()));
        } catch (RuntimeException e) {
            log.error("Error while shutting down: {}", describe(e)); // it ended, if not cleanly: still status 0
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            code = 1;
        }
        removePidFile(c);
        synchronized (lock) {
            exitCode = code;
            server = null;
            state = State.STOPPED;
        }
        stopped.countDown();
        return code;
    }

    /** True between a successful {@link #start()} and {@link #stop()}. */
    public boolean running() {
        synchronized (lock) {
            return state == State.RUNNING;
        }
    }

    /** Blocks until the server stopped (or failed to start); then returns the exit status. */
    public int awaitStopped() throws InterruptedException {
        stopped.await();
        synchronized (lock) {
            return exitCode;
        }
    }

    /** The configuration in use; null before a successful start. */
    public RotorConfig config() {
        synchronized (lock) {
            return config;
        }
    }

    /** The outcome of the quick start's config generation, logged once logging is set up. */
    private record QuickStart(boolean ok, String message) {}

    /** The quick start: writes a missing config file like genconfig; null when there was nothing to do. */
    private static QuickStart generateIfMissing(Path file) {
        // v1 compat: v1 starts with defaults and an empty secret when the config file is missing. Rotor's quick
        // start is two commands (download, run), so a missing file with a supported extension is generated exactly
        // like `genconfig` does and then used. When it cannot be written, Rotor goes on like v1.
        if (Files.exists(file) || ConfigFormat.of(file).isEmpty()) {
            return null;
        }
        try {
            ConfigGenerator.generate(file);
            return new QuickStart(true, "Configuration file " + file + " not found: generated one with a new random secret");
        } catch (ConfigException e) {
            return new QuickStart(false, "Configuration file " + file + " not found and could not be generated: "
                    + e.getMessage());
        }
    }

    private void logStartup(RotorConfig c, Path file, Engine engine) {
        NodeConfig node = c.node();
        log.info("Config path: {}", file.toAbsolutePath());
        log.info("Rotor version: {} (Centrifugo v{} compatible)", RotorVersion.current(),
                RotorVersion.CENTRIFUGO_COMPATIBLE);
        log.info("Process PID: {}", ProcessHandle.current().pid());
        log.info("Engine: {}", engine.name());
        // beyond v1: docs/security.md, "Memory engine history"
        engine.historyUsage().ifPresent(u -> log.info(
                "Channel histories held in memory count at most {} (memory_history_budget)",
                ByteCounts.describe(u.budget())));
        // v1 compat: GOMAXPROCS is Go's CPU limit; Rotor runs that many worker event loops (0 = one per core)
        log.info("GOMAXPROCS: {}", c.server().effectiveEventLoops());
        log.info("SockJS url: {}", c.server().effectiveSockjsUrl());
        if (node.insecure()) {
            log.warn("Running in INSECURE client mode");
        }
        if (node.insecureApi()) {
            log.warn("Running in INSECURE API mode");
        }
        if (node.insecureAdmin()) {
            log.warn("Running in INSECURE admin mode");
        }
        if (c.server().web() && !node.insecureAdmin()
                && (node.adminPassword().isEmpty() || node.adminSecret().isEmpty())) {
            // beyond v1: v1 started silently and its login then failed with a bare 400 (docs/admin.md)
            log.warn("The web interface is on but admin_password or admin_secret is not set: nobody can log in; "
                    + "set both (or insecure_admin, only behind a firewall)");
        }
        if (c.server().debug()) {
            log.warn("Running in DEBUG mode");
        }
    }

    private static int fatal(String message) {
        log.error(LogMarkers.FATAL, message);
        return 1;
    }

    private static void removePidFile(RotorConfig c) {
        if (!c.pidFile().isEmpty()) {
            PidFile.remove(Path.of(c.pidFile()));
        }
    }

    /** Logs each unknown key once (the key is ignored, as v1 ignored it); called with {@code lock} held. */
    private void warnUnknownKeys(List<String> unknownKeys) {
        for (String unknown : unknownKeys) {
            if (warnedUnknownKeys.add(unknown)) {
                log.warn(unknown);
            }
        }
    }

    private static String describe(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}
