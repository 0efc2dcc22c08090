package dev.rotor.engine;

import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Utf16;

/**
 * An engine argument that names something (a channel, a client or user id, a message uid, a control method) and is
 * not well-formed UTF-16 ({@link Utf16}). Engines complete the stage with it instead of storing or sending an
 * altered name, which could alias another one. The protocol boundary refuses such names first, so this is defence
 * in depth. Carries no stack trace: it is an expected refusal. Immutable.
 */
public final class IllFormedNameException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public IllFormedNameException(String what) {
        super(what + " is not well-formed UTF-16 text");
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }

    /** The refusal for an ill-formed channel name, or null when it is fine. */
    public static IllFormedNameException check(String channel) {
        return Utf16.isWellFormed(channel) ? null : new IllFormedNameException("channel");
    }

    /** The refusal for the first ill-formed name of a channel and a client id (may be null), or null when fine. */
    public static IllFormedNameException check(String channel, String clientId) {
        if (!Utf16.isWellFormed(channel)) {
            return new IllFormedNameException("channel");
        }
        if (clientId != null && !Utf16.isWellFormed(clientId)) {
            return new IllFormedNameException("client id");
        }
        return null;
    }

    /** The refusal for a channel and the ids of a client info, or null when all are fine. */
    public static IllFormedNameException check(String channel, ClientInfo info) {
        IllFormedNameException bad = check(channel, info.client());
        return bad != null || Utf16.isWellFormed(info.user()) ? bad : new IllFormedNameException("user");
    }

    /** The refusal for a publication's channel, uid, client and info, or null when all are fine. */
    public static IllFormedNameException check(Message m) {
        IllFormedNameException bad = check(m.channel(), m.client());
        if (bad == null && !Utf16.isWellFormed(m.uid())) {
            bad = new IllFormedNameException("message uid");
        }
        return bad != null || m.info() == null ? bad : check(m.channel(), m.info());
    }
}
