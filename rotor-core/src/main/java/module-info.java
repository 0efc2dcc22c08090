/**
 * Rotor's core: node, sessions, channel rules, auth, engine and transport SPIs, the memory engine, the API executor,
 * metrics and timers. Each exported package is named with the modules that need it; a class other modules do not
 * need is package-private (the node's hub and command dispatch, for one). The server and the SDKs still run on the
 * class path (the shaded {@code rotor.jar}); the exports are checked where a consumer compiles as a module
 * ({@code rotor-engine-redis}) and by {@code ModuleSurfaceTest} in {@code rotor-server}.
 */
module dev.rotor.core {
    requires transitive dev.rotor.protocol;
    requires com.nimbusds.jose.jwt;
    requires HdrHistogram;
    requires org.slf4j;
    requires java.management;
    requires jdk.management;

    // The HTTP API, the Redis API queue and the admin socket execute commands here: server, bench.
    exports dev.rotor.api;
    // Client tokens, API signs, JWT, admin tokens: server (and bench).
    exports dev.rotor.auth;
    // Channel names and options: server (config), bench.
    exports dev.rotor.channel;
    // The engine SPI: engine-redis implements it, testkit holds its contract tests.
    exports dev.rotor.engine;
    // The single-node engine: server (engine factory), testkit, bench.
    exports dev.rotor.engine.memory;
    // Counters, gauges, latency histograms: server (Prometheus, stats).
    exports dev.rotor.metrics;
    // Node, ClientSession, NodeConfig, NodeInfo, AdminMessages: server, bench.
    exports dev.rotor.node;
    // Timer wheels the transports run session timers on: server.
    exports dev.rotor.timer;
    // The Transport SPI and WriteBatch that transport adapters use: server, testkit, bench.
    exports dev.rotor.transport;
}
