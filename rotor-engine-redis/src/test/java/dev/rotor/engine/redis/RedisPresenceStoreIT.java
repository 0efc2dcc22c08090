package dev.rotor.engine.redis;

import dev.rotor.engine.Engine;
import dev.rotor.engine.PresenceStoreContract;
import dev.rotor.testkit.redis.RedisExtension;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Runs the presence store contract against {@link RedisEngine} on a real redis-server, a fresh prefix per test. */
class RedisPresenceStoreIT extends PresenceStoreContract {
    @RegisterExtension
    static final RedisExtension redis = new RedisExtension();

    @Override
    protected Engine newEngine() {
        return RedisEngines.engine(redis.server(), redis.prefix());
    }

    @Override
    protected void advanceTime(Duration duration) {
        RedisEngines.letTimePass(duration);
    }
}
