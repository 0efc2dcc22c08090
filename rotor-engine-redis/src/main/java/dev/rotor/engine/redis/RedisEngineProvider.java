package dev.rotor.engine.redis;

import dev.rotor.engine.ConfigValues;
import dev.rotor.engine.Engine;
import dev.rotor.engine.EngineProvider;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * Provides the {@code redis} engine: reads the v1 keys of configuration.md §3.7 into one {@link RedisEngineConfig},
 * resolving and validating the shard list like v1 does when it creates the engine (redis-engine.md §1.1), with v1's
 * messages. {@code redis_pool} and {@code redis_write_timeout} are not read: Lettuce keeps one pipelined connection
 * per shard, so they have no effect. Stateless and thread-safe.
 */
public final class RedisEngineProvider implements EngineProvider<RedisEngineConfig> {
    /** The value of the {@code engine} key that selects this engine. */
    public static final String NAME = "redis";

    /** A read timeout of 0 means "none" in v1; Rotor keeps every command bounded, by this many seconds then. */
    private static final int UNBOUNDED_READ_TIMEOUT_SECONDS = 60;

    @Override
    public String name() {
        return NAME;
    }

    /**
     * Resolves the shard list: the shard count is the longest of the {@code redis_host}, {@code redis_port},
     * {@code redis_url} and {@code redis_master_name} comma lists (at least 1); a one-element host or port list
     * applies to every shard; a URL overrides host, port, password and db of its shard. Ports and dbs become numbers
     * here, once.
     *
     * @throws IllegalArgumentException with v1's message, e.g.
     *         {@code Malformed sharding configuration: wrong number of redis hosts}
     */
    @Override
    public RedisEngineConfig config(ConfigValues values) {
        String masterName = values.string("redis_master_name");
        String sentinels = values.string("redis_sentinels");
        List<String> hosts = split(values.string("redis_host"));
        List<String> ports = split(values.string("redis_port"));
        List<String> urls = split(values.string("redis_url"));
        List<String> masterNames = split(masterName);
        int n = Math.max(1, Math.max(Math.max(hosts.size(), ports.size()), Math.max(urls.size(), masterNames.size())));

        if (!masterName.isEmpty() && sentinels.isEmpty()) {
            throw new IllegalArgumentException("Provide at least one Sentinel address");
        }
        if (!masterName.isEmpty() && masterNames.size() < n) {
            throw new IllegalArgumentException(
                    "Redis master name must be set for every Redis shard when Sentinel used");
        }
        List<RedisShardConfig.Address> sentinelAddrs = addresses(sentinels, "Malformed Sentinel address: ");
        hosts = spread(hosts, n, "hosts");
        ports = spread(ports, n, "ports");
        if (!urls.isEmpty() && urls.size() != n) {
            throw new IllegalArgumentException("Malformed sharding configuration: wrong number of redis urls");
        }
        if (masterNames.isEmpty()) {
            masterNames = new ArrayList<>(Collections.nCopies(n, ""));
        }
        String[] passwords = new String[n];
        String[] dbs = new String[n];
        Arrays.fill(passwords, values.string("redis_password"));
        Arrays.fill(dbs, values.string("redis_db"));
        for (int i = 0; i < urls.size(); i++) {
            String u = urls.get(i);
            if (u.isEmpty()) {
                continue; // an empty entry means "no URL for this shard"
            }
            ParsedUrl p = parseUrl(u);
            if (p.password != null) {
                passwords[i] = p.password;
            }
            if (p.db != null) {
                dbs[i] = p.db;
            }
            hosts.set(i, p.host);
            ports.set(i, p.port);
        }
        List<RedisShardConfig> shards = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int port = port(ports.get(i).trim());
            if (port < 0) {
                throw new IllegalArgumentException("Malformed Redis port: " + ports.get(i));
            }
            shards.add(new RedisShardConfig(host(hosts.get(i)), port, passwords[i], db(dbs[i]), masterNames.get(i),
                    sentinelAddrs));
        }
        RedisClusterConfig cluster = cluster(values, masterName, sentinels, hosts, ports, urls, dbs[0]);
        int readTimeout = values.integer("redis_read_timeout");
        int workers = values.integer("redis_pubsub_num_workers");
        int apiNumShards = values.integer("redis_api_num_shards");
        if (apiNumShards < 0) {
            throw new IllegalArgumentException("redis_api_num_shards must not be negative, got " + apiNumShards);
        }
        return RedisEngineConfig.builder()
                .shards(shards)
                .prefix(values.string("redis_prefix"))
                .connectTimeout(Duration.ofSeconds(Math.max(1, values.integer("redis_connect_timeout"))))
                .commandTimeout(Duration.ofSeconds(readTimeout > 0 ? readTimeout : UNBOUNDED_READ_TIMEOUT_SECONDS))
                .pubsubWorkers(workers > 0 ? workers : Runtime.getRuntime().availableProcessors())
                .api(values.bool("redis_api"))
                .apiNumShards(apiNumShards)
                .waitReplicas(values.integer("redis_wait_replicas"))
                .waitTimeout(Duration.ofMillis(values.integer("redis_wait_timeout")))
                .cluster(cluster)
                .build();
    }

    /**
     * Beyond v1: the Redis Cluster of {@code redis_cluster_addrs}, or null when it is empty. A cluster shards and
     * fails over by itself, so the key excludes client-side sharding and Sentinel, and a cluster has only db 0.
     */
    private static RedisClusterConfig cluster(ConfigValues values, String masterName, String sentinels,
            List<String> hosts, List<String> ports, List<String> urls, String db) {
        String addrs = values.string("redis_cluster_addrs");
        if (addrs.isBlank()) {
            return null;
        }
        if (!masterName.isEmpty() || !sentinels.isEmpty()) {
            throw new IllegalArgumentException("redis_cluster_addrs cannot be combined with redis_master_name or "
                    + "redis_sentinels: Redis Cluster fails over by itself, without Sentinel");
        }
        if (!urls.isEmpty() || hosts.size() > 1 || ports.size() > 1) {
            throw new IllegalArgumentException("redis_cluster_addrs cannot be combined with redis_url or several "
                    + "redis_host/redis_port entries: Redis Cluster shards by itself, without client-side sharding");
        }
        if (db(db) != 0) {
            throw new IllegalArgumentException("redis_db must be 0 with redis_cluster_addrs: Redis Cluster has only "
                    + "database 0, got " + db);
        }
        return new RedisClusterConfig(addresses(addrs, "Malformed Redis Cluster address: "),
                values.string("redis_password"));
    }

    /** A comma list of {@code host:port}: whitespace trimmed, empties skipped, an empty host this machine. */
    private static List<RedisShardConfig.Address> addresses(String list, String malformed) {
        List<RedisShardConfig.Address> out = new ArrayList<>();
        for (String addr : list.split(",", -1)) {
            addr = addr.trim();
            if (addr.isEmpty()) {
                continue;
            }
            String[] hp = splitHostPort(addr);
            int port = hp == null ? -1 : port(hp[1]);
            if (port < 0) {
                throw new IllegalArgumentException(malformed + addr);
            }
            out.add(new RedisShardConfig.Address(host(hp[0]), port));
        }
        return out;
    }

    @Override
    public Engine create(RedisEngineConfig config) {
        return new RedisEngine(config);
    }

    /** Go's strings.Split semantics, except that an empty value is an empty list. */
    private static List<String> split(String s) {
        return s.isEmpty() ? new ArrayList<>() : new ArrayList<>(Arrays.asList(s.split(",", -1)));
    }

    private static List<String> spread(List<String> values, int n, String what) {
        if (values.size() <= 1) {
            String v = values.isEmpty() ? "" : values.get(0);
            return new ArrayList<>(Collections.nCopies(n, v));
        }
        if (values.size() != n) {
            throw new IllegalArgumentException("Malformed sharding configuration: wrong number of redis " + what);
        }
        return values;
    }

    /** v1 compat: Go dials {@code ":6379"} on the local system. */
    private static String host(String value) {
        return value.isEmpty() ? "localhost" : value;
    }

    /** A TCP port from 1 to 65535, or -1. */
    private static int port(String value) {
        if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return -1;
        }
        int p = Integer.parseInt(value);
        return p >= 1 && p <= 65535 ? p : -1;
    }

    /** A database number; empty means 0 (redis-engine.md §1.1). */
    private static int db(String value) {
        String db = value.isEmpty() ? "0" : value;
        if (!db.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("malformed Redis db number: " + db);
        }
        try {
            return Integer.parseInt(db);
        } catch (NumberFormatException tooLarge) {
            throw new IllegalArgumentException("malformed Redis db number: " + db);
        }
    }

    private record ParsedUrl(String host, String port, String password, String db) {}

    /** {@code redis://:password@host:port/db}; the scheme is not checked (v1 compat), the port is required. */
    private static ParsedUrl parseUrl(String u) {
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Malformed Redis URL " + u + ": " + e.getMessage());
        }
        String authority = uri.getRawAuthority() == null ? "" : uri.getRawAuthority();
        String password = null;
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            int colon = userInfo.indexOf(':');
            // v1 compat: user info without a password means an empty password.
            password = colon < 0 ? "" : URLDecoder.decode(userInfo.substring(colon + 1), StandardCharsets.UTF_8);
            authority = authority.substring(at + 1);
        }
        String[] hp = splitHostPort(authority);
        if (hp == null) {
            throw new IllegalArgumentException("address " + authority + ": missing port in address");
        }
        String path = uri.getRawPath();
        String db = path == null || path.isEmpty() ? null : path.substring(1);
        return new ParsedUrl(hp[0], hp[1], password, db);
    }

    /** Splits {@code host:port} or {@code [v6]:port}; null when there is no port or too many colons. */
    private static String[] splitHostPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf("]:");
            return end < 0 ? null : new String[] {hostPort.substring(1, end), hostPort.substring(end + 2)};
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0 || hostPort.indexOf(':') != colon) {
            return null;
        }
        return new String[] {hostPort.substring(0, colon), hostPort.substring(colon + 1)};
    }
}
