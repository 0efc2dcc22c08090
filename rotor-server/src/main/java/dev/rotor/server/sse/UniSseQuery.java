package dev.rotor.server.sse;

import dev.rotor.protocol.JsonWriter;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * What a {@code uni_sse} request asks for (docs/sse.md): the v1 connect credentials and the channels from the query
 * string, and the positions the browser resends in {@code Last-Event-ID}. Immutable.
 *
 * @param user      {@code user}, {@code ""} when absent
 * @param timestamp {@code timestamp}, {@code ""} when absent
 * @param info      {@code info}, {@code ""} when absent
 * @param token     {@code token} (hex HMAC or JWT), {@code ""} when absent
 * @param channels  the {@code channel} parameters in query order; at least one, no duplicates
 * @param positions the position of each channel from {@code Last-Event-ID}, parallel to {@code channels}; null for a
 *                  first connection (no header, or one that does not fit this channel list)
 */
record UniSseQuery(String user, String timestamp, String info, String token, List<String> channels,
        List<String> positions) {

    /** The query cannot be served: answered 400 with {@link #getMessage()} as the body. */
    static final class BadQueryException extends RuntimeException {
        BadQueryException(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Parses a request. The URL is already bounded by the HTTP codec ({@code http_max_url_length}, 414 past it), so
     * every parameter is decoded; unknown parameters are ignored (a cache buster, say).
     *
     * @param uri         the request URI
     * @param lastEventId the {@code Last-Event-ID} header, or null
     * @param maxChannels {@code client_channel_limit}: more channels than this are refused
     * @throws BadQueryException when a credential is repeated, a channel is empty or repeated, there is no channel
     *                           or too many, or the query is not well-formed percent-encoding
     */
    static UniSseQuery parse(String uri, String lastEventId, int maxChannels) {
        Map<String, List<String>> params;
        try {
            params = new QueryStringDecoder(uri, StandardCharsets.UTF_8, true, Integer.MAX_VALUE).parameters();
        } catch (IllegalArgumentException e) {
            throw new BadQueryException("malformed query string");
        }
        List<String> channels = params.getOrDefault("channel", List.of());
        if (channels.isEmpty()) {
            throw new BadQueryException("no channel: give one or more channel parameters");
        }
        if (channels.size() > maxChannels) {
            throw new BadQueryException("limit exceeded: more than client_channel_limit (" + maxChannels
                    + ") channels");
        }
        if (channels.contains("")) {
            throw new BadQueryException("empty channel name");
        }
        if (channels.stream().distinct().count() != channels.size()) {
            throw new BadQueryException("a channel is given twice");
        }
        return new UniSseQuery(single(params, "user"), single(params, "timestamp"), single(params, "info"),
                single(params, "token"), List.copyOf(channels), EventIds.decode(lastEventId, channels.size()));
    }

    private static String single(Map<String, List<String>> params, String name) {
        List<String> values = params.getOrDefault(name, List.of());
        if (values.size() > 1) {
            throw new BadQueryException("parameter " + name + " is given twice");
        }
        return values.isEmpty() ? "" : values.get(0);
    }

    /**
     * The client protocol frame this request stands for: a {@code connect} with the credentials, then one
     * {@code subscribe} per channel, without uids (client-protocol.md §2.1, §5.1, §5.3). After a reconnect every
     * subscribe asks for recovery from its position; the core ignores that for channels without {@code recover}.
     */
    byte[] commands() {
        JsonWriter w = new JsonWriter(128 + 96 * channels.size());
        w.raw("[{\"method\":\"connect\",\"params\":{").key("user").string(user).raw(',').key("timestamp")
                .string(timestamp).raw(',').key("info").string(info).raw(',').key("token").string(token).raw("}}");
        for (int i = 0; i < channels.size(); i++) {
            w.raw(",{\"method\":\"subscribe\",\"params\":{").key("channel").string(channels.get(i));
            if (positions != null) {
                w.raw(",\"recover\":true,").key("last").string(positions.get(i));
            }
            w.raw("}}");
        }
        w.raw(']');
        return w.toByteArray();
    }
}
