package dev.rotor.cli;

import dev.rotor.config.ConfigLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The root command: runs the server until SIGINT/SIGTERM, with every flag of v1.8.0's listing
 * (configuration.md §5). Flags are bound to the config keys of the same name and win over env and file only when
 * given explicitly, so the field values are never read directly: {@link #explicitFlags} takes them from the parse
 * result. Confined to the thread that executes it.
 */
@Command(name = "rotor",
        header = "Rotor. Real-time messaging (WebSocket or SockJS) server for the JVM, compatible with Centrifugo "
                + "v1.8.0.",
        customSynopsis = {"  rotor [flags]", "  rotor [command]"},
        synopsisHeading = "%nUsage:%n",
        sortOptions = false,
        usageHelpWidth = 120,
        commandListHeading = "%nAvailable Commands:%n",
        optionListHeading = "%nFlags:%n",
        footer = "%nUse \"rotor help [command]\" for more information about a command.")
final class RunCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = {"-a", "--address"}, paramLabel = "string", description = "address to listen on")
    private String address;
    @Option(names = "--admin", description = "enable admin socket")
    private boolean admin;
    @Option(names = "--admin_port", paramLabel = "string", description = "port to bind admin endpoints to (optional)")
    private String adminPort;
    @Option(names = "--api_port", paramLabel = "string", description = "port to bind api endpoints to (optional)")
    private String apiPort;
    @Option(names = {"-c", "--config"}, paramLabel = "string", defaultValue = "config.json",
            description = "path to config file (default \"config.json\")")
    private String config;
    @Option(names = {"-d", "--debug"}, description = "enable debug mode")
    private boolean debug;
    @Option(names = {"-e", "--engine"}, paramLabel = "string",
            description = "engine to use: memory or redis (default \"memory\")")
    private String engine;
    @Option(names = "--insecure",
            description = "start in insecure client mode")
    private boolean insecure;
    @Option(names = "--insecure_admin",
            description = "use insecure admin mode \u2013 no auth required for admin socket")
    private boolean insecureAdmin;
    @Option(names = "--insecure_api", description = "use insecure API mode")
    private boolean insecureApi;
    @Option(names = "--log_file", paramLabel = "string",
            description = "optional log file - if not specified logs go to STDOUT")
    private String logFile;
    @Option(names = "--log_level", paramLabel = "string",
            description = "set the log level: trace, debug, info, warn, error, critical, fatal or none "
                    + "(default \"info\")")
    private String logLevel;
    @Option(names = {"-n", "--name"}, paramLabel = "string", description = "unique node name")
    private String name;
    @Option(names = "--pid_file", paramLabel = "string", description = "optional path to create PID file")
    private String pidFile;
    @Option(names = {"-p", "--port"}, paramLabel = "string",
            description = "port to bind HTTP server to (default \"8000\")")
    private String port;
    @Option(names = "--redis_api",
            description = "enable Redis API listener (Redis engine)")
    private boolean redisApi;
    @Option(names = "--redis_api_num_shards", paramLabel = "int",
            description = "Number of shards for redis API queue (Redis engine)")
    private Integer redisApiNumShards;
    @Option(names = "--redis_cluster_addrs", paramLabel = "string",
            description = "Comma separated list of Redis Cluster seed nodes host:port (Redis engine)")
    private String redisClusterAddrs;
    @Option(names = "--redis_db", paramLabel = "string", description = "redis database (Redis engine) (default \"0\")")
    private String redisDb;
    @Option(names = "--redis_host", paramLabel = "string",
            description = "redis host (Redis engine) (default \"127.0.0.1\")")
    private String redisHost;
    @Option(names = "--redis_master_name", paramLabel = "string",
            description = "Name of Redis master Sentinel monitors (Redis engine)")
    private String redisMasterName;
    @Option(names = "--redis_password", paramLabel = "string", description = "redis auth password (Redis engine)")
    private String redisPassword;
    @Option(names = "--redis_pool", paramLabel = "int", description = "Redis pool size (Redis engine) (default 256)")
    private Integer redisPool;
    @Option(names = "--redis_port", paramLabel = "string", description = "redis port (Redis engine) (default \"6379\")")
    private String redisPort;
    @Option(names = "--redis_sentinels", paramLabel = "string",
            description = "Comma separated list of Sentinels (Redis engine)")
    private String redisSentinels;
    @Option(names = "--redis_url", paramLabel = "string",
            description = "redis connection URL in format redis://:password@hostname:port/db (Redis engine)")
    private String redisUrl;
    @Option(names = "--ssl",
            description = "accept SSL connections. This requires an X509 certificate and a key file")
    private boolean ssl;
    @Option(names = "--ssl_cert", paramLabel = "string", description = "path to an X509 certificate file")
    private String sslCert;
    @Option(names = "--ssl_key", paramLabel = "string", description = "path to an X509 certificate key")
    private String sslKey;
    @Option(names = {"-w", "--web"},
            description = "serve admin web interface application (warning: automatically enables admin socket)")
    private boolean web;
    @Option(names = "--web_path", paramLabel = "string",
            description = "optional path to custom web interface application")
    private String webPath;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for rotor")
    private boolean help;

    private final Main main;

    RunCommand(Main main) {
        this.main = main;
    }

    @Override
    public Integer call() throws InterruptedException {
        ConfigLoader loader = new ConfigLoader(Path.of(config), main.env(), explicitFlags(spec));
        ServerRunner runner = new ServerRunner(loader, main.logging(), main.engines(), main.servers(),
                main.shutdownTimeout(), main.warmup());
        int code = runner.start();
        if (code != 0) {
            return code;
        }
        main.onStarted().accept(runner);
        return runner.awaitStopped();
    }

    /** The flags given on the command line, by config key (the long name without dashes); typed values. */
    static Map<String, Object> explicitFlags(CommandSpec spec) {
        Map<String, Object> flags = new LinkedHashMap<>();
        for (OptionSpec o : spec.commandLine().getParseResult().matchedOptions()) {
            String key = o.longestName().replaceFirst("^-+", "");
            if (o.usageHelp() || key.equals("config")) {
                continue;
            }
            flags.put(key, o.getValue());
        }
        return flags;
    }
}
