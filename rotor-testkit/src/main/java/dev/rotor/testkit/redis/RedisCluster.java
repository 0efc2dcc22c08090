package dev.rotor.testkit.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real Redis Cluster of six {@code redis-server} processes on {@code 127.0.0.1} (three masters, one replica each),
 * created with {@code redis-cli --cluster create ... --cluster-replicas 1}. Every node runs with
 * {@code --cluster-node-timeout 2000}, so the cluster itself promotes a replica about two seconds after its master
 * dies. Each node has its own temporary directory (for the {@code nodes.conf} Redis insists on) and no persistence;
 * {@link #close} kills every process and deletes the directories. A missing {@code redis-server} or
 * {@code redis-cli} fails loudly with the install command. Thread-safe (all methods are synchronized).
 */
public final class RedisCluster implements AutoCloseable {
    /** The Debian redis-cli; overridable with {@code -Drotor.redis.cli=...}. */
    static final String DEFAULT_CLI = "/usr/bin/redis-cli";
    /** How long the cluster waits for a silent node before a failover. */
    public static final int NODE_TIMEOUT_MILLIS = 2000;
    private static final int NODES = 6;
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    /** Redis listens for the cluster bus on the client port + 10000. */
    private static final int BUS_OFFSET = 10000;

    private final List<RedisServer> nodes = new ArrayList<>(); // guarded by this
    private final Path cli;
    /** The password of every node; empty for none. */
    private final String password;

    private RedisCluster(Path cli, String password) {
        this.cli = cli;
        this.password = password;
    }

    /** Starts six nodes, creates the cluster and waits until it is ok and every replica is in sync. */
    public static RedisCluster start() {
        return start("");
    }

    /**
     * Starts a cluster whose nodes require {@code password} (also between master and replica); empty for none.
     * {@link #masterOf} and {@link #moveSlotOf} need a cluster without password.
     */
    public static RedisCluster start(String password) {
        Path cli = RedisServer.requireBinary("rotor.redis.cli", DEFAULT_CLI, "redis-tools");
        RedisCluster cluster = new RedisCluster(cli, password);
        try {
            List<String> create = new ArrayList<>(List.of(cli.toString(), "--cluster", "create"));
            for (int i = 0; i < NODES; i++) {
                int port = clusterPort();
                List<String> args = new ArrayList<>(List.of("--cluster-enabled", "yes",
                        "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", Integer.toString(NODE_TIMEOUT_MILLIS)));
                if (!password.isEmpty()) {
                    args.addAll(List.of("--requirepass", password, "--masterauth", password));
                }
                RedisServer node = RedisServer.start(port, args);
                synchronized (cluster) {
                    cluster.nodes.add(node);
                }
                create.add("127.0.0.1:" + port);
            }
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            create.addAll(cluster.auth());
            run(create);
            cluster.awaitOk();
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** A free port whose cluster bus port (+10000) is free as well. */
    private static int clusterPort() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = RedisServer.freePort();
            if (port + BUS_OFFSET <= 65535 && free(port + BUS_OFFSET)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port pair (port, port + 10000) on 127.0.0.1");
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> auth() {
        return password.isEmpty() ? List.of() : List.of("-a", password, "--no-auth-warning");
    }

    /** One command to one node: over RESP without a password, else through redis-cli (which sends AUTH first). */
    private String query(RedisServer node, String... args) {
        if (password.isEmpty()) {
            return node.command(args);
        }
        List<String> command = new ArrayList<>(List.of(cli.toString(), "-h", node.host(), "-p",
                Integer.toString(node.port())));
        command.addAll(auth());
        command.addAll(List.of(args));
        return run(command);
    }

    private static String run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command.subList(1, Math.min(3, command.size())))
                        + " failed: " + new String(out, StandardCharsets.UTF_8));
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the cluster", e);
        }
    }

    /**
     * Waits until every running node reports {@code cluster_state:ok}, every running replica has its replication
     * link up (a replica that never synced with its master refuses to take over from it), and every running node's
     * CLUSTER NODES table agrees with each node's own role, with no node flagged as failing. The last part matters
     * after a failover: a master that was frozen, once resumed, still reports {@code role:master} until the gossip
     * demotes it, and the others list it as a failed master without a replica role until then.
     */
    public synchronized void awaitOk() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean ok = true;
            Map<Integer, Boolean> masters = new HashMap<>(); // port -> the node's own role is master
            for (RedisServer node : nodes) {
                if (!node.running()) {
                    continue;
                }
                last = ask(node, "CLUSTER", "INFO");
                if (!last.contains("cluster_state:ok")) {
                    ok = false;
                    break;
                }
                last = ask(node, "INFO", "replication");
                if (!last.contains("role:master") && !last.contains("master_link_status:up")) {
                    ok = false;
                    break;
                }
                masters.put(node.port(), last.contains("role:master"));
            }
            for (RedisServer node : nodes) {
                if (!ok) {
                    break;
                }
                if (node.running()) {
                    last = ask(node, "CLUSTER", "NODES");
                    ok = agrees(last, masters);
                }
            }
            if (ok) {
                return;
            }
            try {
                Thread.sleep(50); // polling the cluster's own state; bounded by READY_TIMEOUT
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster", e);
            }
        }
        throw new IllegalStateException("Redis Cluster not ok within " + READY_TIMEOUT + " (last: " + last + ")");
    }

    /** The reply of one command to one node, or the error's message (a node that is restarting may refuse). */
    private String ask(RedisServer node, String... args) {
        try {
            return query(node, args);
        } catch (UncheckedIOException | IllegalStateException e) {
            return String.valueOf(e.getMessage());
        }
    }

    /**
     * Whether a CLUSTER NODES table lists each running node ({@code masters}: port to its own role being master)
     * in the role it reports itself, none of them flagged {@code fail} or {@code fail?}.
     */
    private static boolean agrees(String table, Map<Integer, Boolean> masters) {
        int listed = 0;
        for (String line : table.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 8 || f[1].indexOf('@') < 0) {
                continue;
            }
            Boolean master = masters.get(portOf(f[1]));
            if (master == null) {
                continue; // a node that is not running
            }
            if (f[2].contains("fail") || f[2].contains(master ? "slave" : "master")) {
                return false;
            }
            listed++;
        }
        return listed == masters.size();
    }

    /** The client port of a CLUSTER NODES address field, {@code host:port@busport[,hostname]}. */
    private static int portOf(String address) {
        return Integer.parseInt(address.substring(address.indexOf(':') + 1, address.indexOf('@')));
    }

    /** All six nodes, masters and replicas, in creation order. */
    public synchronized List<RedisServer> nodes() {
        return List.copyOf(nodes);
    }

    /** The seed addresses for a client, {@code 127.0.0.1:port} of every node, comma-separated. */
    public synchronized String seeds() {
        List<String> out = new ArrayList<>();
        for (RedisServer n : nodes) {
            out.add(n.host() + ":" + n.port());
        }
        return String.join(",", out);
    }

    /**
     * The node that is master of the slot of {@code key} right now, as the first running node that answers sees it
     * (CLUSTER NODES; a frozen node is passed over).
     */
    public synchronized RedisServer masterOf(String key) {
        RuntimeException last = null;
        for (RedisServer n : nodes) {
            if (!n.running()) {
                continue;
            }
            String slot;
            String table;
            try {
                slot = n.command("CLUSTER", "KEYSLOT", key).trim().substring(1); // ":1234"
                table = n.command("CLUSTER", "NODES");
            } catch (RuntimeException e) {
                last = e; // frozen (SIGSTOP) or going away: ask the next node
                continue;
            }
            RedisServer owner = ownerIn(table, Integer.parseInt(slot));
            if (owner == null) {
                throw new IllegalStateException("no master owns the slot of " + key + ": " + table);
            }
            return owner;
        }
        throw new IllegalStateException("no node of the cluster answers", last);
    }

    /** The node that a CLUSTER NODES table names as the (not failed) master of {@code slot}, or null. */
    private RedisServer ownerIn(String table, int slot) {
        for (String line : table.split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) {
                continue;
            }
            for (int i = 8; i < f.length; i++) {
                if (f[i].startsWith("[")) {
                    continue; // a slot being migrated
                }
                String[] range = f[i].split("-");
                int from = Integer.parseInt(range[0]);
                int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
                if (slot >= from && slot <= to) {
                    int port = portOf(f[1]);
                    for (RedisServer candidate : nodes) {
                        if (candidate.port() == port) {
                            return candidate;
                        }
                    }
                }
            }
        }
        return null;
    }

    /** The running replica of {@code master} (each master has one), asked with CLUSTER NODES. */
    public synchronized RedisServer replicaOf(RedisServer master) {
        String id = bulk(master.command("CLUSTER", "MYID"));
        for (String line : master.command("CLUSTER", "NODES").split("\n")) {
            String[] f = line.trim().split(" ");
            if (f.length >= 4 && f[2].contains("slave") && f[3].equals(id) && !f[2].contains("fail")) {
                int port = portOf(f[1]);
                for (RedisServer candidate : nodes) {
                    if (candidate.port() == port && candidate.running()) {
                        return candidate;
                    }
                }
            }
        }
        throw new IllegalStateException("no running replica of the master on port " + master.port());
    }

    /**
     * Moves the slot of {@code key}, with its keys, from its master to another running master, as a resharding
     * does ({@code CLUSTER SETSLOT ... IMPORTING / MIGRATING}, {@code MIGRATE}, {@code CLUSTER SETSLOT ... NODE}),
     * and returns the new master.
     */
    public synchronized RedisServer moveSlotOf(String key) {
        RedisServer from = masterOf(key);
        for (RedisServer n : nodes) {
            if (n != from && n.running() && n.command("ROLE").contains("master")) {
                return moveSlotOf(key, n);
            }
        }
        throw new IllegalStateException("no other running master to move " + key + " to");
    }

    /** Moves the slot of {@code key}, with its keys, from its master to the master {@code to}, as above. */
    public synchronized RedisServer moveSlotOf(String key, RedisServer to) {
        beginSlotMove(key, to).run();
        return to;
    }

    /**
     * Starts moving the slot of {@code key} from its master to the master {@code to} ({@code CLUSTER SETSLOT ...
     * IMPORTING / MIGRATING}) and returns what finishes the move ({@code MIGRATE} of its keys, {@code CLUSTER SETSLOT
     * ... NODE}): in between the slot migrates, and its old master refuses commands whose keys have (partly) left.
     */
    public synchronized Runnable beginSlotMove(String key, RedisServer to) {
        RedisServer from = masterOf(key);
        if (from == to) {
            throw new IllegalStateException("the slot of " + key + " is on port " + to.port() + " already");
        }
        String slot = from.command("CLUSTER", "KEYSLOT", key).trim().substring(1);
        String fromId = bulk(from.command("CLUSTER", "MYID"));
        String toId = bulk(to.command("CLUSTER", "MYID"));
        expectOk(to.command("CLUSTER", "SETSLOT", slot, "IMPORTING", fromId));
        expectOk(from.command("CLUSTER", "SETSLOT", slot, "MIGRATING", toId));
        return () -> {
            synchronized (this) {
                String keys = from.command("CLUSTER", "GETKEYSINSLOT", slot, "1000");
                List<String> migrate = new ArrayList<>(List.of("MIGRATE", to.host(), Integer.toString(to.port()),
                        "", "0", "5000", "KEYS"));
                String[] lines = keys.split("\r\n");
                for (int i = 2; i < lines.length; i += 2) { // *N, then $len and the key for each
                    migrate.add(lines[i]);
                }
                if (migrate.size() > 7) {
                    expectOk(from.command(migrate.toArray(String[]::new)));
                }
                for (RedisServer n : nodes) {
                    if (n.running() && n.command("ROLE").contains("master")) {
                        expectOk(n.command("CLUSTER", "SETSLOT", slot, "NODE", toId));
                    }
                }
            }
        };
    }

    private static String bulk(String reply) {
        String[] lines = reply.split("\r\n");
        if (lines.length < 2) {
            throw new IllegalStateException("not a bulk reply: " + reply);
        }
        return lines[1];
    }

    private static void expectOk(String reply) {
        if (!reply.startsWith("+OK")) {
            throw new IllegalStateException("Redis answered " + reply.trim());
        }
    }

    /** Kills every node and deletes their directories. Idempotent. */
    @Override
    public synchronized void close() {
        for (RedisServer n : nodes) {
            n.close();
        }
        nodes.clear();
    }
}
