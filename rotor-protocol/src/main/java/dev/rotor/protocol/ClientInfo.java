package dev.rotor.protocol;

/**
 * Who a connection is in a channel: user id, client id, and the raw {@code default_info} and
 * {@code channel_info} JSON (client-protocol.md §6.1). Immutable.
 *
 * @param user        application user id, {@code ""} for anonymous
 * @param client      connection (client) id
 * @param defaultInfo raw {@code info} from connect/refresh, or null when absent or empty
 * @param channelInfo raw {@code info} from a private-channel subscribe, or null when absent or empty
 */
public record ClientInfo(String user, String client, RawJson defaultInfo, RawJson channelInfo) {
    public ClientInfo {
        if (user == null || client == null) {
            throw new IllegalArgumentException("user and client must not be null");
        }
    }
}
