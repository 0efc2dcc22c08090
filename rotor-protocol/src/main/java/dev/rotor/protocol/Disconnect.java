package dev.rotor.protocol;

import java.nio.charset.StandardCharsets;

/**
 * Disconnect advice sent to a client when the server closes its connection (client-protocol.md §9).
 * Immutable. Serialised exactly as {@code {"reason":"<text>","reconnect":<bool>}}.
 */
public record Disconnect(String reason, boolean reconnect) {
    public static final Disconnect INVALID_MESSAGE = new Disconnect("invalid message", false);
    public static final Disconnect UNAUTHORIZED = new Disconnect("unauthorized", false);
    public static final Disconnect INVALID_TOKEN = new Disconnect("invalid token", false);
    public static final Disconnect METHOD_NOT_FOUND = new Disconnect("method not found", false);
    public static final Disconnect LIMIT_EXCEEDED = new Disconnect("limit exceeded", false);
    public static final Disconnect INTERNAL_SERVER_ERROR = new Disconnect("internal server error", true);
    public static final Disconnect STALE = new Disconnect("stale", false);
    public static final Disconnect EXPIRED = new Disconnect("expired", true);
    public static final Disconnect SLOW = new Disconnect("slow", false);
    public static final Disconnect ERROR_SENDING = new Disconnect("error sending message", true);
    public static final Disconnect WRITE_PING_ERROR = new Disconnect("write ping error", true);
    public static final Disconnect DISCONNECT = new Disconnect("disconnect", false);
    public static final Disconnect SHUTDOWN = new Disconnect("shutting down", true);
    /** Used when a session ends without an explicit reason. */
    public static final Disconnect DEFAULT = new Disconnect("", true);

    /** The advice as v1 writes it into a close frame reason. */
    public String toJson() {
        return new String(JsonCodec.disconnectJson(this), StandardCharsets.UTF_8);
    }

    /** The disconnect that a fatal protocol error causes: reconnect only for internal errors (§9). */
    public static Disconnect forError(ProtocolError error) {
        return switch (error) {
            case INVALID_MESSAGE -> INVALID_MESSAGE;
            case UNAUTHORIZED -> UNAUTHORIZED;
            case INVALID_TOKEN -> INVALID_TOKEN;
            case METHOD_NOT_FOUND -> METHOD_NOT_FOUND;
            case LIMIT_EXCEEDED -> LIMIT_EXCEEDED;
            case INTERNAL_SERVER_ERROR -> INTERNAL_SERVER_ERROR;
            default -> new Disconnect(error.text(), false);
        };
    }
}
