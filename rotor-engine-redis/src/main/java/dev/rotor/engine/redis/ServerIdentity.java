package dev.rotor.engine.redis;

import io.lettuce.core.api.StatefulRedisConnection;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which Redis server one connection is talking to: the {@code run_id} of {@code INFO server}, read on every (re)connect
 * (docs/scaling.md "Gap detection"). A run id changes whenever a different process serves, so a promoted replica, or
 * a restarted master, has a new one. Thread-safe.
 *
 * <p>Each disconnect starts a new generation whose run id is unknown ({@code null}) until INFO answers on the new
 * connection. A command that read the identity and completed in the same generation ran on the server of that run
 * id: Lettuce reports the disconnect (on the connection's event loop) before anything completes on the next
 * connection.
 */
final class ServerIdentity {
    private static final Pattern RUN_ID = Pattern.compile("run_id:([0-9a-f]+)");

    /** A generation of the connection and its server's run id, null while unknown. Immutable. */
    record Generation(long number, String runId) {
        /** The run id, or {@code ""} while unknown (never equal to a server's). */
        String runIdOrEmpty() {
            return runId == null ? "" : runId;
        }
    }

    private volatile Generation current = new Generation(0, null); // replaced only under this

    Generation current() {
        return current;
    }

    /** The connection dropped: a new generation, run id unknown. */
    synchronized void disconnected() {
        current = new Generation(current.number() + 1, null);
    }

    /**
     * The connection is (again) up: asks the server for its run id, for the generation that is current now. The
     * stage completes once it is learned, and fails when INFO fails or names no run id.
     */
    CompletionStage<Void> connected(StatefulRedisConnection<byte[], byte[]> connection) {
        Generation g = current;
        return connection.async().info("server").thenAccept(info -> {
            Matcher m = RUN_ID.matcher(info);
            if (!m.find()) {
                throw new IllegalStateException("INFO server names no run_id");
            }
            learned(g.number(), m.group(1));
        });
    }

    private synchronized void learned(long generation, String runId) {
        if (current.number() == generation && current.runId() == null) {
            current = new Generation(generation, runId);
        }
    }

    /** Whether the connection stayed in generation {@code g} (so a command sent in it ran on its server). */
    boolean still(Generation g) {
        return current.number() == g.number();
    }
}
