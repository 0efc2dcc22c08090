package dev.rotor.bench;

import java.util.Arrays;
import java.util.Locale;

/**
 * How generator clients reach the server: raw v1 WebSocket frames, or SockJS 0.3.3 framing over its websocket or
 * xhr-streaming transport. Immutable.
 */
enum ClientTransport {
    /** Raw v1 WebSocket ({@code --ws-path}, default {@code /connection/websocket}). */
    WEBSOCKET("websocket"),
    /** SockJS websocket: {@code ws://host:port<sockjs-path>/<server>/<session>/websocket}. */
    SOCKJS_WEBSOCKET("sockjs-websocket"),
    /** SockJS xhr-streaming: a kept-open POST {@code .../xhr_streaming}, commands by POST {@code .../xhr_send}. */
    SOCKJS_XHR_STREAMING("sockjs-xhr-streaming");

    final String label;

    ClientTransport(String label) {
        this.label = label;
    }

    /** Parses a label such as {@code sockjs-websocket} (case-insensitive). */
    static ClientTransport parse(String label) {
        for (ClientTransport t : values()) {
            if (t.label.equals(label.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown transport " + label + "; one of "
                + Arrays.stream(values()).map(t -> t.label).toList());
    }

    /** The label scenarios put in front of their own (empty for the default raw WebSocket). */
    String prefix() {
        return this == WEBSOCKET ? "" : label + " ";
    }

    /** Opens one subscribed client for {@code user} on {@code channel} of {@code node}. */
    Subscriber open(RunContext ctx, Target node, String user, String channel, Subscriber.Sink sink) {
        return switch (this) {
            case WEBSOCKET -> WsConnection.open(ctx.loop.bootstrap(), node, ctx.wsPath, user, channel, sink);
            case SOCKJS_WEBSOCKET -> WsConnection.openSockJs(ctx.loop.bootstrap(), node,
                    sessionPath(ctx) + "/websocket", user, channel, sink);
            case SOCKJS_XHR_STREAMING -> XhrStreamingConnection.open(ctx.loop.bootstrap(), node,
                    sessionPath(ctx), user, channel, sink);
        };
    }

    /** {@code <sockjs-path>/<server>/<session>} with a fresh session id. */
    private static String sessionPath(RunContext ctx) {
        long n = ctx.nextSessionId();
        return ctx.sockJsPath + "/" + String.format("%03d", n % 1000) + "/b" + Long.toString(n, 36);
    }
}
