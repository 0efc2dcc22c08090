package dev.rotor.testkit.redis;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension owning one real {@link RedisCluster} per test class: created before the first test, killed and
 * deleted after the last one. Each test gets a fresh key prefix ({@link #prefix()}), as with {@link RedisExtension}.
 * Register it as a static field:
 *
 * <pre>{@code @RegisterExtension static final RedisClusterExtension cluster = new RedisClusterExtension();}</pre>
 *
 * <p>Thread-safe for reads; the lifecycle methods are called by JUnit on one thread.
 */
public final class RedisClusterExtension implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {
    private final String password;
    private final AtomicInteger tests = new AtomicInteger();
    private volatile RedisCluster cluster; // non-null between beforeAll and afterAll
    private volatile String prefix = "rotor-test"; // the current test's prefix, set before each test

    /** A cluster without password. */
    public RedisClusterExtension() {
        this("");
    }

    /** A cluster whose nodes require {@code password}. */
    public RedisClusterExtension(String password) {
        this.password = password;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = RedisCluster.start(password);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        prefix = "t" + tests.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        RedisCluster c = cluster;
        cluster = null;
        if (c != null) {
            c.close();
        }
    }

    /** The running cluster of this test class. */
    public RedisCluster cluster() {
        RedisCluster c = cluster;
        if (c == null) {
            throw new IllegalStateException(
                    "RedisClusterExtension must be registered as a static @RegisterExtension field");
        }
        return c;
    }

    /** A key prefix unique to the current test (use as {@code redis_prefix}). */
    public String prefix() {
        return prefix;
    }
}
