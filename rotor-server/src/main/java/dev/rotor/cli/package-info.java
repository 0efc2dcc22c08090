/**
 * The {@code rotor} command line: {@link dev.rotor.cli.Main} (picocli) with the root command that runs a server and
 * the {@code version}, {@code checkconfig}, {@code genconfig} and {@code help} subcommands of Centrifugo v1.8.0 (and
 * {@code health}, beyond v1, the exit-status probe for containers and service managers), plus
 * what a process needs around the server: v1-style logging on Logback, the PID file, signals (SIGHUP reload,
 * SIGINT/SIGTERM graceful shutdown), the startup sequence (configuration.md §5–7) and
 * {@link dev.rotor.cli.EngineFactory}, the table from the {@code engine} key to the engine providers of this build.
 * Commands return exit codes; only {@code main} calls {@code System.exit}.
 */
package dev.rotor.cli;
