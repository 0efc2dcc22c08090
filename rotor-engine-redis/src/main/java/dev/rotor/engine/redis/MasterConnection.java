package dev.rotor.engine.redis;

import io.lettuce.core.ScriptOutputType;
import java.util.concurrent.CompletionStage;

/**
 * A connection to the master serving a channel's slot whose server is known: the commands of gap detection (the
 * publish-with-history script, which records the writer's run id, and the history read of a recovery) run on it, so
 * the run id they use is that of the server that ran them (docs/scaling.md "Gap detection"). A single Redis: the
 * shard's command connection ({@link ShardClient}); a cluster: a per-master link ({@link ClusterMasters}).
 * Implementations are thread-safe.
 */
interface MasterConnection {
    /**
     * The server this connection talks to: a command sent while {@link ServerIdentity#current()} was generation
     * {@code g} that completes while {@link ServerIdentity#still(ServerIdentity.Generation) still(g)} ran on the
     * server of {@code g}'s run id.
     */
    ServerIdentity identity();

    /**
     * Where this master's publications with history go when publications wait for replicas ({@code
     * redis_wait_replicas}, docs/scaling.md "Durability"): its {@link ReplicaWait}, whose identity is that of the
     * server behind its own connection. Null when publications do not wait.
     */
    ReplicaWait replicaWait();

    /** Runs a script by SHA on this connection, loading it again when Redis lost it. */
    <T> CompletionStage<T> script(Scripts script, ScriptOutputType type, byte[][] keys, byte[]... args);
}
