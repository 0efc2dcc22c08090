package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.ConfigLoader;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotor checkconfig [-c FILE] [--strict]}: validates the file with the environment applied as the server
 * would apply it; silent with exit 0 when valid, one fatal log line and exit 1 otherwise (configuration.md §5.2).
 * Keys Rotor does not know pass, as in v1, unless {@code --strict} is given: then each is logged as an error with a
 * "did you mean" hint and the exit status is 1. Confined to the executing thread.
 */
@Command(name = "checkconfig", description = "Check configuration file")
final class CheckConfigCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CheckConfigCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "string", defaultValue = "config.json",
            description = "path to config file to check (default \"config.json\")")
    private String config;

    @Option(names = "--strict", description = "also fail on unknown keys (misspelt options)")
    private boolean strict;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for checkconfig")
    private boolean help;

    private final Logging logging;
    private final Map<String, String> env;

    CheckConfigCommand(Logging logging, Map<String, String> env) {
        this.logging = logging;
        this.env = env;
    }

    @Override
    public Integer call() {
        logging.configureDefault();
        List<String> unknownKeys;
        try {
            unknownKeys = ConfigLoader.inspect(Path.of(config), env).unknownKeys();
        } catch (ConfigException e) {
            log.error(LogMarkers.FATAL, e.getMessage());
            return 1;
        }
        if (!strict) {
            return 0; // v1 compat: silent on success, unknown keys included
        }
        for (String unknown : unknownKeys) {
            log.error("config error: " + unknown);
        }
        return unknownKeys.isEmpty() ? 0 : 1;
    }
}
