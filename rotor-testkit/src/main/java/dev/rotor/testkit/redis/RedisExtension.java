package dev.rotor.testkit.redis;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning one real {@link RedisServer} per test class: started before the first test, killed and
 * deleted after the last one. Each test gets a fresh key prefix ({@link #prefix()}), so tests of one class never
 * see each other's keys or PUB/SUB channels. Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisExtension redis = new RedisExtension();}</pre>
 *
 * <p>Thread-safe for reads; the lifecycle methods are called by JUnit on one thread.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final List<String> serverArgs;
    private final AtomicInteger tests = new AtomicInteger();
    private volatile RedisServer server; // non-null between beforeAll and afterAll
    private volatile String prefix = "rotor-test"; // the current test's prefix, set before each test

    /** A plain server (no password). */
    public RedisExtension() {
        this(List.of());
    }

    /** A server started with extra arguments, e.g. {@code List.of("--requirepass", "secret")}. */
    public RedisExtension(List<String> serverArgs) {
        this.serverArgs = List.copyOf(serverArgs);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start(serverArgs);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        if (server != null && !server.running()) {
            server.restart(); // an earlier test of the class stopped or killed it
        }
        prefix = "t" + tests.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisServer s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    /** The running server of this test class. */
    public RedisServer server() {
        RedisServer s = server;
        if (s == null) {
            throw new IllegalStateException("RedisExtension must be registered as a static @RegisterExtension field");
        }
        return s;
    }

    /** A key prefix unique to the current test (use as {@code redis_prefix}). */
    public String prefix() {
        return prefix;
    }
}
