package dev.rotor.cli;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires operating-system signals to a running {@link ServerRunner} (configuration.md §7): SIGHUP reloads, SIGINT and
 * SIGTERM shut down gracefully through a JVM shutdown hook, which also enforces the watchdog's exit status 1.
 * {@code sun.misc.Signal} is used where available, through reflection because it is an unsupported JDK API (and
 * javac warns on every direct use); without it the program still runs, only without SIGHUP reloads. Stateless; {@link #install} keeps its state in the handlers it registers.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {
    }

    /**
     * Catches SIGHUP from now on, before the server starts: without this, a hangup in the start-up window (a
     * {@code systemctl reload} right after {@code start}) takes the JVM's default action and ends the process. A
     * hangup that arrives before {@link #install} is remembered and reloads once the server runs.
     *
     * @return what to call with the started runner: {@link #install}, plus the remembered reload if one is due
     */
    static Consumer<ServerRunner> catchHangupUntilStarted() {
        AtomicBoolean pending = new AtomicBoolean();
        handle("HUP", () -> {
            log.info("Signal received: hangup (the server is starting: it reloads once it runs)");
            pending.set(true);
        });
        return runner -> {
            install(runner);
            // after the real handler is in place, so a hangup either set the flag or reaches that handler
            if (pending.getAndSet(false)) {
                runner.reload();
            }
        };
    }

    /** Installs the handlers for a runner that has started successfully. */
    static void install(ServerRunner runner) {
        // Which of INT/TERM arrived, for the log line; null when the JVM shuts down for another reason.
        AtomicReference<String> received = new AtomicReference<>();
        handle("HUP", () -> {
            log.info("Signal received: hangup");
            runner.reload();
        });
        // With our own INT/TERM handlers the process exits with 0 after a graceful shutdown, like v1 (observed);
        // the JVM's default handlers would exit with 130/143. Either way the shutdown hook does the work.
        handle("INT", () -> {
            received.set("interrupt");
            System.exit(0);
        });
        handle("TERM", () -> {
            received.set("terminated");
            System.exit(0);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (!runner.running()) {
                return;
            }
            String name = received.get();
            log.info("Signal received: {}", name != null ? name : "terminated");
            int code = runner.stop();
            if (code != 0) {
                // The watchdog fired (§7 step 2); halt, since exit() cannot be called from a shutdown hook.
                Runtime.getRuntime().halt(code);
            }
        }, "rotor-shutdown"));
    }

    private static void handle(String signal, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object sig = signalClass.getConstructor(String.class).newInstance(signal);
            // Each signal is handled on a fresh JVM thread, so a slow reload never blocks other signals.
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> {
                        switch (method.getName()) {
                            case "handle":
                                action.run();
                                return null;
                            case "hashCode":
                                return System.identityHashCode(proxy);
                            case "equals":
                                return proxy == args[0];
                            default:
                                return "rotor SIG" + signal + " handler";
                        }
                    });
            signalClass.getMethod("handle", signalClass, handlerClass).invoke(null, sig, handler);
        } catch (InvocationTargetException e) {
            // e.g. "Signal already used by VM or OS" when the JVM runs with -Xrs
            log.debug("Signal {} cannot be handled here: {}", signal, e.getCause().toString());
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            log.debug("Signal {} cannot be handled here: {}", signal, e.toString());
        }
    }
}
