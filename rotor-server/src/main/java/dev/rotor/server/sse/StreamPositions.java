package dev.rotor.server.sse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rotor.protocol.JsonCodec;
import java.io.IOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The positions of one {@code uni_sse} stream, from which its event ids are made ({@link EventIds}): for each
 * channel of the request that has {@code recover}, the uid of the last message the stream carried. Also drops a
 * message that reached the connection live while it was recovered: a publication can be in the history read at
 * subscribe and, a moment later, arrive as a push. Messages of a channel arrive in publication order, so the
 * recovered uids are dropped as soon as a message not among them arrives; the set never outgrows the channel's
 * {@code history_size}.
 *
 * <p>Confined to the connection's event loop.
 */
final class StreamPositions {
    /** What to do with one push. */
    enum Verdict {
        /** Write it without an id: no position changed. */
        PLAIN,
        /** Write it with {@link #id()}: it moved its channel's position. */
        WITH_ID,
        /** Drop it: the subscribe event already carried it (recovery). */
        SKIP
    }

    /** Position by query index; only channels with {@code recover} ever get a non-null one. */
    private final String[] positions;
    /** Query index of each channel with {@code recover}; empty when the stream needs no ids. */
    private final Map<String, Integer> tracked;
    /** Channel → uids recovered in its subscribe event, until a newer message arrives; null entries absent. */
    private final Map<String, Set<String>> recovered = new HashMap<>();

    /**
     * @param channels the channels of the request, in query order
     * @param recover  which of them have the {@code recover} option, parallel to {@code channels}
     */
    StreamPositions(List<String> channels, List<Boolean> recover) {
        positions = new String[channels.size()];
        tracked = new HashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            if (recover.get(i)) {
                tracked.put(channels.get(i), i);
            }
        }
    }

    /** True when some channel has {@code recover}: its message events carry ids. */
    boolean tracking() {
        return !tracked.isEmpty();
    }

    /**
     * Records a channel's subscribe reply: its position becomes the newest recovered message, else the newest
     * message in its history ({@code last}), else the position the browser sent if the history held it and nothing
     * was missed, else none. A position the history did not vouch for is not kept: the browser could send any text
     * up to {@code http_max_header_size}, and the id, which holds every channel's position, would repeat it (grown
     * by re-encoding) with each message of the stream's other channels.
     *
     * @param last          the reply's {@code last} ({@code ""} when recovering or the history is empty)
     * @param recoveredUids the uids of the reply's {@code messages}, newest first (empty when none)
     * @param found         the reply's {@code recovered}: {@code sent} is in the history, and nothing after it is
     *                      missing
     * @param sent          the position from {@code Last-Event-ID}, or null
     */
    void subscribed(String channel, String last, List<String> recoveredUids, boolean found, String sent) {
        Integer index = tracked.get(channel);
        if (index == null) {
            return;
        }
        if (!recoveredUids.isEmpty()) {
            positions[index] = recoveredUids.get(0);
            recovered.put(channel, new HashSet<>(recoveredUids));
        } else if (!last.isEmpty()) {
            positions[index] = last;
        } else if (found) {
            positions[index] = sent;
        }
    }

    /** The current event id. */
    String id() {
        return EventIds.encode(positions);
    }

    /** Looks at one push (a v1 push frame, client-protocol.md §8) and moves the position it moves. */
    Verdict onPush(byte[] push) {
        if (tracked.isEmpty()) {
            return Verdict.PLAIN;
        }
        String[] uidAndChannel = messageUidAndChannel(push);
        if (uidAndChannel == null) {
            return Verdict.PLAIN;
        }
        String uid = uidAndChannel[0];
        String channel = uidAndChannel[1];
        Integer index = tracked.get(channel);
        if (index == null) {
            return Verdict.PLAIN;
        }
        Set<String> seen = recovered.get(channel);
        if (seen != null) {
            if (seen.contains(uid)) {
                return Verdict.SKIP;
            }
            recovered.remove(channel);
        }
        positions[index] = uid;
        return Verdict.WITH_ID;
    }

    /**
     * The uid and channel of a {@code message} push, or null for any other push. Reads only the head of the frame:
     * the body's {@code uid} comes first and its {@code channel} right before {@code data}, which is not parsed
     * (push rendering, client-protocol.md §6.2).
     */
    static String[] messageUidAndChannel(byte[] push) {
        try (JsonParser p = JsonCodec.factory().createParser(push)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            String uid = null;
            boolean message = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("method")) {
                    message = value == JsonToken.VALUE_STRING && p.getText().equals("message");
                    if (!message) {
                        return null;
                    }
                } else if (name.equals("body") && message && value == JsonToken.START_OBJECT) {
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        JsonToken v = p.nextToken();
                        if (field.equals("uid") && v == JsonToken.VALUE_STRING) {
                            uid = p.getText();
                        } else if (field.equals("channel") && v == JsonToken.VALUE_STRING) {
                            return uid == null ? null : new String[] {uid, p.getText()};
                        } else {
                            p.skipChildren();
                        }
                    }
                    return null;
                } else {
                    p.skipChildren();
                }
            }
            return null;
        } catch (IOException e) {
            return null;
        }
    }
}
