package dev.rotor.cli;

import dev.rotor.config.RotorVersion;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotor version}: one line with Rotor's version, the Centrifugo version it is compatible with and the Java
 * version; exit 0 (v1 prints {@code Centrifugo v1.8.0 (Go version: go1.10.3)}, configuration.md §5.1). Stateless.
 */
@Command(name = "version", description = "Rotor version number")
final class VersionCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for version")
    private boolean help;

    @Override
    public Integer call() {
        spec.commandLine().getOut().println(line());
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String line() {
        return "Rotor v" + RotorVersion.current() + " (Centrifugo v" + RotorVersion.CENTRIFUGO_COMPATIBLE
                + " compatible; Java " + System.getProperty("java.version") + ")";
    }
}
