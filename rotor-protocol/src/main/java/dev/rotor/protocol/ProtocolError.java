package dev.rotor.protocol;

/** Error strings a client or API caller can see; the text matches v1.8.0 exactly (client-protocol.md §12.2). */
public enum ProtocolError {
    INVALID_MESSAGE("invalid message"),
    METHOD_NOT_FOUND("method not found"),
    UNAUTHORIZED("unauthorized"),
    INVALID_TOKEN("invalid token"),
    LIMIT_EXCEEDED("limit exceeded"),
    ALREADY_SUBSCRIBED("already subscribed"),
    PERMISSION_DENIED("permission denied"),
    NAMESPACE_NOT_FOUND("namespace not found"),
    NOT_AVAILABLE("not available"),
    INTERNAL_SERVER_ERROR("internal server error");

    private final String text;

    ProtocolError(String text) {
        this.text = text;
    }

    public String text() {
        return text;
    }
}
