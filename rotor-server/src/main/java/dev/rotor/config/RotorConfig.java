package dev.rotor.config;

import dev.rotor.engine.ConfigValues;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.ServerConfig;
import java.util.Objects;

/**
 * The whole validated configuration of one Rotor process: the reloadable node settings, the network settings fixed
 * at startup, and the process options of configuration.md §3.6–3.7. Immutable; a reload produces a new instance
 * whose {@code node}, {@code logLevel} and {@code logFile} may differ (§7).
 *
 * @param engine     {@code memory} or {@code redis}, checked when the engine is created ({@code Unknown engine})
 * @param logLevel   as configured; unknown values mean {@code info} (§3.6)
 * @param logFile    empty for standard output
 * @param pidFile    empty for no PID file
 * @param gomaxprocs v1's CPU limit, 0 = all cores; also in {@link ServerConfig#eventLoops()} as the worker loop count
 * @param warmupConnections beyond v1: connections of the JIT warm-up before the ports open, 0 = none
 * @param engineValues the engine keys (§3.7) as resolved; the engine named by {@code engine} reads its typed config
 *                   from them when it is created
 */
public record RotorConfig(
        NodeConfig node,
        ServerConfig server,
        String engine,
        String logLevel,
        String logFile,
        String pidFile,
        int gomaxprocs,
        int warmupConnections,
        ConfigValues engineValues,
        AutocertSettings autocert) {

    public RotorConfig {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(engine, "engine");
        Objects.requireNonNull(logLevel, "logLevel");
        Objects.requireNonNull(logFile, "logFile");
        Objects.requireNonNull(pidFile, "pidFile");
        Objects.requireNonNull(engineValues, "engineValues");
        if (warmupConnections < 0) {
            throw new IllegalArgumentException("warmupConnections < 0");
        }
        Objects.requireNonNull(autocert, "autocert");
    }

    /** This configuration with a reloaded node and logging settings; everything else stays as started (§7). */
    public RotorConfig withReloadable(NodeConfig newNode, String newLogLevel, String newLogFile) {
        return new RotorConfig(newNode, server, engine, newLogLevel, newLogFile, pidFile, gomaxprocs, warmupConnections,
                engineValues,
                autocert);
    }
}
