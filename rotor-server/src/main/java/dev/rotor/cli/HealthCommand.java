package dev.rotor.cli;

import dev.rotor.protocol.BoundedBody;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code rotor health [--address HOST:PORT] [--timeout SECONDS]} (beyond v1): asks a running server's
 * {@code GET /health} and exits 0 when it answers 200, 1 otherwise (503, any other status, no answer within the
 * timeout, connection refused), printing one line either way. Made for probes that only look at an exit status:
 * Docker's {@code HEALTHCHECK}, Kubernetes' exec probes, scripts. Confined to the executing thread.
 */
@Command(name = "health", description = "Check the health of a running server (GET /health); exit 0 if healthy")
final class HealthCommand implements Callable<Integer> {
    /** The longest answer read; Rotor's is a few bytes. */
    private static final int MAX_BODY = 64 * 1024;
    @Option(names = {"-a", "--address"}, paramLabel = "string", defaultValue = "127.0.0.1:8000",
            description = "host:port of the server's client or admin port (default \"127.0.0.1:8000\")")
    private String address;

    @Option(names = "--prefix", paramLabel = "string", defaultValue = "",
            description = "the server's http_prefix (default \"\")")
    private String prefix;

    @Option(names = "--ssl", description = "use https (a server with ssl or ssl_autocert); the certificate is checked")
    private boolean ssl;

    @Option(names = "--timeout", paramLabel = "int", defaultValue = "5",
            description = "seconds to wait for the answer (default 5)")
    private int timeoutSeconds;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for health")
    private boolean help;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        URI uri;
        try {
            uri = URI.create((ssl ? "https://" : "http://") + address + prefix + "/health");
        } catch (IllegalArgumentException e) {
            err.println("health: bad address " + address + ": " + e.getMessage());
            err.flush();
            return 1;
        }
        Duration timeout = Duration.ofSeconds(Math.max(1, timeoutSeconds));
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        try {
            // whatever listens there may not be Rotor: a body of any length, or one that never ends, must not hang
            // the probe (the request's timeout ends with the headers)
            HttpResponse<String> response = client.send(request, BoundedBody.ofString(MAX_BODY, timeout));
            if (response.statusCode() == 200) {
                out.println("healthy: " + uri + " answered 200 " + response.body());
                out.flush();
                return 0;
            }
            err.println("unhealthy: " + uri + " answered " + response.statusCode() + " " + response.body());
        } catch (IOException e) {
            err.println("unhealthy: " + uri + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("unhealthy: " + uri + ": interrupted");
        }
        err.flush();
        return 1;
    }
}
