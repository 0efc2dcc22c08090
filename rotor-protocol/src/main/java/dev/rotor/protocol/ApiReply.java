package dev.rotor.protocol;

import java.util.List;

/**
 * A reply to one HTTP/Redis API command (http-api.md §3.2): keys {@code uid} (omitted when empty),
 * {@code method}, {@code error} (always present, {@code null} on success), {@code advice} (omitted when absent),
 * {@code body}. Immutable.
 *
 * @param advice the error's advice; null is read as {@link Advice#NONE}
 * @param body   the body writer; null writes {@code null}
 */
public record ApiReply(String uid, String method, String error, Advice advice, Reply.Body body) {

    public ApiReply {
        advice = advice == null ? Advice.NONE : advice;
    }

    public void write(JsonWriter w) {
        w.raw('{');
        if (uid != null && !uid.isEmpty()) {
            w.key("uid").string(uid).raw(',');
        }
        w.key("method").string(method).raw(',').key("error").string(error);
        if (advice != Advice.NONE) {
            w.raw(',').key("advice").string(advice.text());
        }
        w.raw(',').key("body");
        if (body == null) {
            w.nullValue();
        } else {
            body.write(w);
        }
        w.raw('}');
    }

    /** The API response: always a JSON array, one element per command. */
    public static byte[] encode(List<ApiReply> replies) {
        JsonWriter w = new JsonWriter(64 + 96 * replies.size());
        return w.array(replies, (out, r) -> r.write(out)).toByteArray();
    }
}
