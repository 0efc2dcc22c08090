package dev.rotor.channel;

import java.util.Objects;

/**
 * The configurable special characters of channel names and the pure rules built on them
 * (client-protocol.md §6.3). Immutable and thread-safe.
 */
public record ChannelNaming(
        String privatePrefix,
        String namespaceBoundary,
        String userBoundary,
        String userSeparator,
        String clientBoundary) {

    /** v1 defaults: {@code $ : # , &}. */
    public static final ChannelNaming DEFAULT = new ChannelNaming("$", ":", "#", ",", "&");

    public ChannelNaming {
        Objects.requireNonNull(privatePrefix, "privatePrefix");
        Objects.requireNonNull(namespaceBoundary, "namespaceBoundary");
        Objects.requireNonNull(userBoundary, "userBoundary");
        Objects.requireNonNull(userSeparator, "userSeparator");
        Objects.requireNonNull(clientBoundary, "clientBoundary");
    }

    /** True when the channel needs a sign; an empty prefix makes every channel private (v1 compat). */
    public boolean isPrivate(String channel) {
        return channel.startsWith(privatePrefix);
    }

    /**
     * The namespace name of a channel, or {@code ""} for top-level options. One leading private prefix is
     * stripped; the namespace is the text before the first boundary ({@code $public:chat} → {@code public}).
     */
    public String namespaceOf(String channel) {
        String name = channel;
        if (!privatePrefix.isEmpty() && name.startsWith(privatePrefix)) {
            name = name.substring(privatePrefix.length());
        }
        if (namespaceBoundary.isEmpty()) {
            return "";
        }
        int i = name.indexOf(namespaceBoundary);
        return i < 0 ? "" : name.substring(0, i);
    }

    /**
     * User-limited check: when the channel contains the user boundary, the text after its last occurrence,
     * split by the separator, must contain the user. An empty part matches the anonymous user.
     */
    public boolean userAllowed(String channel, String user) {
        if (userBoundary.isEmpty()) {
            return true;
        }
        int i = channel.lastIndexOf(userBoundary);
        if (i < 0) {
            return true;
        }
        String list = channel.substring(i + userBoundary.length());
        if (userSeparator.isEmpty()) {
            return list.equals(user);
        }
        int from = 0;
        while (true) {
            int j = list.indexOf(userSeparator, from);
            String part = j < 0 ? list.substring(from) : list.substring(from, j);
            if (part.equals(user)) {
                return true;
            }
            if (j < 0) {
                return false;
            }
            from = j + userSeparator.length();
        }
    }

    /** Client-limited check: when the channel contains the client boundary, the text after the last one must be the client id. */
    public boolean clientAllowed(String channel, String client) {
        if (clientBoundary.isEmpty()) {
            return true;
        }
        int i = channel.lastIndexOf(clientBoundary);
        return i < 0 || channel.substring(i + clientBoundary.length()).equals(client);
    }
}
