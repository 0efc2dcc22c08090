package dev.rotor.protocol;

/**
 * A publication in a channel (client-protocol.md §6.2). Immutable.
 *
 * @param uid     22-character base62 id, or the id given through the API
 * @param channel channel name
 * @param data    published JSON exactly as received
 * @param client  publishing client id, or null when absent (API publishes without {@code client})
 * @param info    publisher's client info, or null (API publishes never have one)
 */
public record Message(String uid, String channel, RawJson data, String client, ClientInfo info) {
    public Message {
        if (uid == null || channel == null || data == null) {
            throw new IllegalArgumentException("uid, channel and data must not be null");
        }
        if (client != null && client.isEmpty()) {
            client = null;
        }
    }
}
