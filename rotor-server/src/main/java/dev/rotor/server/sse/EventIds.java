package dev.rotor.server.sse;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The SSE event id of a {@code uni_sse} stream (docs/sse.md, "Event ids and recovery"): the position of every
 * channel of the request, so that the one id the browser keeps and resends as {@code Last-Event-ID} is enough to
 * recover every channel. The form is {@code <n>:<p1>,<p2>,…,<pn>}: the number of channels, then each channel's
 * position in the order of the query, percent-encoded (UTF-8, as {@code application/x-www-form-urlencoded}), where a
 * position is the uid of the last message seen in that channel, or empty when none is known. The count keeps the
 * id from being empty (a browser does not resend an empty one) and tells a stale id from another channel list.
 * Stateless.
 */
final class EventIds {
    private EventIds() {
    }

    /** The id for these positions (null counts as empty). */
    static String encode(String[] positions) {
        StringBuilder id = new StringBuilder(8 + 24 * positions.length).append(positions.length).append(':');
        for (int i = 0; i < positions.length; i++) {
            if (i > 0) {
                id.append(',');
            }
            if (positions[i] != null) {
                id.append(URLEncoder.encode(positions[i], StandardCharsets.UTF_8));
            }
        }
        return id.toString();
    }

    /**
     * The positions in {@code lastEventId} for a request of {@code channels} channels, or null when there is no
     * header or it does not fit: not of this form, malformed percent-encoding, or another number of channels (the
     * stream then starts afresh, as on a first connection). The header is bounded by {@code http_max_header_size}.
     */
    static List<String> decode(String lastEventId, int channels) {
        if (lastEventId == null) {
            return null;
        }
        int colon = lastEventId.indexOf(':');
        if (colon <= 0 || !lastEventId.substring(0, colon).equals(Integer.toString(channels))) {
            return null;
        }
        String[] parts = lastEventId.substring(colon + 1).split(",", -1);
        if (parts.length != channels) {
            return null;
        }
        List<String> positions = new ArrayList<>(channels);
        try {
            for (String part : parts) {
                positions.add(URLDecoder.decode(part, StandardCharsets.UTF_8));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return List.copyOf(positions);
    }
}
