package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.ConfigLoader;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotor checkconfig [-c FILE]}: validates the file alone (no env, no flags); silent with exit 0 when valid,
 * one fatal log line and exit 1 otherwise (configuration.md §5.2). Confined to the executing thread.
 */
@Command(name = "checkconfig", description = "Check configuration file")
final class CheckConfigCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(CheckConfigCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "string", defaultValue = "config.json",
            description = "path to config file to check (default \"config.json\")")
    private String config;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for checkconfig")
    private boolean help;

    private final Logging logging;

    CheckConfigCommand(Logging logging) {
        this.logging = logging;
    }

    @Override
    public Integer call() {
        logging.configureDefault();
        try {
            ConfigLoader.check(Path.of(config));
            return 0;
        } catch (ConfigException e) {
            log.error(LogMarkers.FATAL, e.getMessage());
            return 1;
        }
    }
}
