package dev.rotor.server.sse;

import dev.rotor.protocol.JsonWriter;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
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
     *                           or too many, or the query is not well-formed percent-encoded UTF-8
     */
    static UniSseQuery parse(String uri, String lastEventId, int maxChannels) {
        if (!wellFormed(uri)) {
            throw new BadQueryException("malformed query string");
        }
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

    /**
     * True when the URI is ASCII and every run of percent-escapes in it is well-formed UTF-8. Netty's decoder would
     * turn what is not into U+FFFD, so that {@code %FF}, {@code %FE} and {@code %EF%BF%BD} all named one channel (or
     * user), and an escaped surrogate ({@code %ED%A0%80}, docs/security.md, "Unicode") was altered instead of
     * refused. Other bytes must be percent-encoded (RFC 3986 §2.1); the HTTP codec hands a raw one over as a Latin-1
     * character, so a raw UTF-8 {@code é} would have read as {@code Ã©}.
     */
    static boolean wellFormed(String uri) {
        CharsetDecoder utf8 = null;
        byte[] run = null;
        int n = uri.length();
        int i = 0;
        while (i < n) {
            char c = uri.charAt(i);
            if (c >= 0x80) {
                return false;
            }
            if (c != '%') {
                i++;
                continue;
            }
            if (run == null) {
                // a run of escapes is at most a third of the URI, which http_max_url_length bounds
                run = new byte[n / 3];
                utf8 = StandardCharsets.UTF_8.newDecoder(); // reports malformed input rather than replacing it
            }
            int length = 0;
            for (; i < n && uri.charAt(i) == '%'; i += 3) {
                int high = i + 2 < n ? hex(uri.charAt(i + 1)) : -1;
                int low = i + 2 < n ? hex(uri.charAt(i + 2)) : -1;
                if (high < 0 || low < 0) {
                    return false;
                }
                run[length++] = (byte) (high << 4 | low);
            }
            try {
                utf8.reset().decode(ByteBuffer.wrap(run, 0, length));
            } catch (CharacterCodingException e) {
                return false;
            }
        }
        return true;
    }

    /** The value of an ASCII hex digit, else -1 ({@link Character#digit} takes other scripts' digits too). */
    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
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
