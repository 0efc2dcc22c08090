package dev.rotor.cli;

import dev.rotor.config.ConfigException;
import dev.rotor.config.ConfigGenerator;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code rotor genconfig [-c FILE]}: writes a minimal config file with a random secret; silent with exit 0 on
 * success, one fatal log line and exit 1 otherwise (configuration.md §5.3). Confined to the executing thread.
 */
@Command(name = "genconfig", description = "Generate simple configuration file to start with")
final class GenConfigCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(GenConfigCommand.class);

    @Option(names = {"-c", "--config"}, paramLabel = "string", defaultValue = "config.json",
            description = "path to output config file (default \"config.json\")")
    private String config;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for genconfig")
    private boolean help;

    private final Logging logging;

    GenConfigCommand(Logging logging) {
        this.logging = logging;
    }

    @Override
    public Integer call() {
        logging.configureDefault();
        try {
            ConfigGenerator.generate(Path.of(config));
            return 0;
        } catch (ConfigException e) {
            log.error(LogMarkers.FATAL, e.getMessage());
            return 1;
        }
    }
}
