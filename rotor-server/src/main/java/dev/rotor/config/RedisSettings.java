package dev.rotor.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The Redis engine keys of configuration.md §3.7 as given (comma lists unresolved); {@link #shards()} resolves and
 * validates them like v1 does when it creates the engine (redis-engine.md §1.1). Durations are whole seconds.
 * Not reloadable. Immutable.
 */
public record RedisSettings(
        String host,
        String port,
        String url,
        String password,
        String db,
        int pool,
        boolean api,
        int apiNumShards,
        String masterName,
        String sentinels,
        String prefix,
        int connectTimeout,
        int readTimeout,
        int writeTimeout,
        int pubsubNumWorkers) {

    public RedisSettings {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(port, "port");
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(password, "password");
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(masterName, "masterName");
        Objects.requireNonNull(sentinels, "sentinels");
        Objects.requireNonNull(prefix, "prefix");
    }

    /**
     * Resolves the shard list. The shard count is the longest of the {@code redis_host}, {@code redis_port},
     * {@code redis_url} and {@code redis_master_name} comma lists (at least 1); a one-element host or port list
     * applies to every shard; a URL overrides host, port, password and db of its shard.
     *
     * @throws ConfigException with v1's message, e.g.
     *         {@code Malformed sharding configuration: wrong number of redis hosts}
     */
    public List<RedisShard> shards() {
        List<String> hosts = split(host);
        List<String> ports = split(port);
        List<String> urls = split(url);
        List<String> masterNames = split(masterName);
        int n = Math.max(1, Math.max(Math.max(hosts.size(), ports.size()), Math.max(urls.size(), masterNames.size())));

        if (!masterName.isEmpty() && sentinels.isEmpty()) {
            throw new ConfigException("Provide at least one Sentinel address");
        }
        if (!masterName.isEmpty() && masterNames.size() < n) {
            throw new ConfigException("Redis master name must be set for every Redis shard when Sentinel used");
        }
        List<String> sentinelAddrs = new ArrayList<>();
        for (String addr : sentinels.split(",", -1)) {
            addr = addr.trim();
            if (addr.isEmpty()) {
                continue;
            }
            if (splitHostPort(addr) == null) {
                throw new ConfigException("Malformed Sentinel address: " + addr);
            }
            sentinelAddrs.add(addr);
        }
        hosts = spread(hosts, n, "hosts");
        ports = spread(ports, n, "ports");
        if (!urls.isEmpty() && urls.size() != n) {
            throw new ConfigException("Malformed sharding configuration: wrong number of redis urls");
        }
        if (masterNames.isEmpty()) {
            masterNames = new ArrayList<>(Collections.nCopies(n, ""));
        }
        String[] passwords = new String[n];
        String[] dbs = new String[n];
        Arrays.fill(passwords, password);
        Arrays.fill(dbs, db);
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
        List<RedisShard> shards = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String shardDb = dbs[i].isEmpty() ? "0" : dbs[i];
            if (!shardDb.chars().allMatch(Character::isDigit)) {
                throw new ConfigException("malformed Redis db number: " + shardDb);
            }
            shards.add(new RedisShard(hosts.get(i), ports.get(i), passwords[i], shardDb, masterNames.get(i),
                    sentinelAddrs));
        }
        return shards;
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
            throw new ConfigException("Malformed sharding configuration: wrong number of redis " + what);
        }
        return values;
    }

    private record ParsedUrl(String host, String port, String password, String db) {}

    /** {@code redis://:password@host:port/db}; the scheme is not checked (v1 compat), the port is required. */
    private static ParsedUrl parseUrl(String u) {
        URI uri;
        try {
            uri = new URI(u);
        } catch (URISyntaxException e) {
            throw new ConfigException("Malformed Redis URL " + u + ": " + e.getMessage());
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
            throw new ConfigException("address " + authority + ": missing port in address");
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
