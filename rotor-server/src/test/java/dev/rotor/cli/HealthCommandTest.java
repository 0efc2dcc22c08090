package dev.rotor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.rotor.testkit.HostileHttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code rotor health} against a stand-in {@code /health} on 127.0.0.1 whose status each test chooses. */
class HealthCommandTest {
    final CliHarness cli = new CliHarness();
    final AtomicInteger status = new AtomicInteger(200);
    final AtomicReference<String> path = new AtomicReference<>();
    HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            path.set(exchange.getRequestURI().getPath());
            byte[] body = (status.get() == 200 ? "{\"status\":\"ok\"}" : "{\"status\":\"unavailable\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status.get(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private String address() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void aHealthyServerExitsZero() {
        assertThat(cli.run("health", "--address", address())).isZero();

        assertThat(path.get()).isEqualTo("/health");
        assertThat(cli.out()).startsWith("healthy: http://" + address() + "/health answered 200");
    }

    @Test
    void anUnavailableServerExitsOne() {
        status.set(503);

        assertThat(cli.run("health", "-a", address())).isEqualTo(1);
        assertThat(cli.err()).contains("unhealthy:", "answered 503", "unavailable");
    }

    @Test
    void theHttpPrefixIsPartOfThePath() {
        assertThat(cli.run("health", "--address", address(), "--prefix", "/rt")).isZero();

        assertThat(path.get()).isEqualTo("/rt/health");
    }

    @Test
    void aClosedPortExitsOne() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        assertThat(cli.run("health", "--address", "127.0.0.1:" + port, "--timeout", "2")).isEqualTo(1);
        assertThat(cli.err()).startsWith("unhealthy: http://127.0.0.1:" + port + "/health: ");
    }

    @Test
    void aBadAddressExitsOne() {
        assertThat(cli.run("health", "--address", "no such host:x")).isEqualTo(1);
        assertThat(cli.err()).startsWith("health: bad address");
    }

    @Test
    void helpListsTheCommand() {
        assertThat(cli.run("help")).isZero();
        assertThat(cli.out()).contains("health", "Check the health of a running server");
    }

    /** Something else on the port that sends headers and then drips its body: the probe still ends in time. */
    @Test
    void anAnswerThatNeverEndsExitsOneWithinTheTimeout() throws Exception {
        try (HostileHttpServer other = HostileHttpServer.dripping()) {
            String address = other.address().substring("http://".length());
            long start = System.nanoTime();

            assertThat(cli.run("health", "--address", address, "--timeout", "1")).isEqualTo(1);
            assertThat(cli.err()).startsWith("unhealthy: http://" + address + "/health: ")
                    .contains("response body not complete within 1000 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        }
    }
}
