package dev.rotor.protocol;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one table of command method names: each name as v1 writes it on the wire (matched case-sensitively) and the
 * surfaces that accept it. Every dispatch looks a method up here with {@link #find} and switches on the constant.
 * Immutable.
 */
public enum Method {
    CONNECT("connect", Surface.CLIENT, Surface.ADMIN),
    REFRESH("refresh", Surface.CLIENT),
    SUBSCRIBE("subscribe", Surface.CLIENT),
    UNSUBSCRIBE("unsubscribe", Surface.CLIENT, Surface.API_V1, Surface.API_V2, Surface.ADMIN, Surface.API_QUEUE,
            Surface.CONTROL),
    PUBLISH("publish", Surface.CLIENT, Surface.API_V1, Surface.API_V2, Surface.ADMIN, Surface.API_QUEUE),
    PRESENCE("presence", Surface.CLIENT, Surface.API_V1, Surface.API_V2, Surface.ADMIN),
    HISTORY("history", Surface.CLIENT, Surface.API_V1, Surface.API_V2, Surface.ADMIN),
    PING("ping", Surface.CLIENT, Surface.ADMIN, Surface.CONTROL),
    BROADCAST("broadcast", Surface.API_V1, Surface.API_V2, Surface.ADMIN, Surface.API_QUEUE),
    DISCONNECT("disconnect", Surface.API_V1, Surface.API_V2, Surface.ADMIN, Surface.API_QUEUE, Surface.CONTROL),
    CHANNELS("channels", Surface.API_V1, Surface.API_V2, Surface.ADMIN),
    STATS("stats", Surface.API_V1, Surface.ADMIN),
    NODE("node", Surface.API_V1, Surface.ADMIN),
    PRESENCE_STATS("presence_stats", Surface.API_V2),
    /** The admin socket's own {@code info} (admin-and-web.md §3.4) and, beyond v1, the v2 API's node list. */
    INFO("info", Surface.API_V2, Surface.ADMIN),
    /** Beyond v1: this node's counters as of now, for the web interface's live charts (docs/admin.md). */
    NODE_LIVE("node_live", Surface.ADMIN);

    /** Where a command arrives; each accepts its own set of methods. */
    public enum Surface {
        /** A client connection (client-protocol.md §5). */
        CLIENT,
        /** The HTTP API in v1's signed dialect (http-api.md §4). */
        API_V1,
        /** Beyond v1: the HTTP API in Centrifugo v2's {@code apikey} dialect (rubycent-wire.md). */
        API_V2,
        /**
         * The admin socket: {@code connect}, {@code ping}, {@code info} and the v1 API (admin-and-web.md §3.4), and
         * beyond v1 {@code node_live}.
         */
        ADMIN,
        /** The Redis API queue: other methods are ignored (redis-engine.md §8). */
        API_QUEUE,
        /** Node-to-node control messages (redis-engine.md §7). */
        CONTROL
    }

    private static final Map<String, Method> BY_WIRE = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Method::wire, m -> m));

    private final String wire;
    private final Set<Surface> surfaces;

    Method(String wire, Surface first, Surface... rest) {
        this.wire = wire;
        this.surfaces = EnumSet.of(first, rest);
    }

    /** The name as it is written in a command's or reply's {@code method}. */
    public String wire() {
        return wire;
    }

    /** True when {@code surface} accepts this method. */
    public boolean on(Surface surface) {
        return surfaces.contains(surface);
    }

    /** The method a command names, or null when {@code surface} has no method by that name. */
    public static Method find(String wire, Surface surface) {
        Method m = BY_WIRE.get(wire);
        return m != null && m.on(surface) ? m : null;
    }
}
