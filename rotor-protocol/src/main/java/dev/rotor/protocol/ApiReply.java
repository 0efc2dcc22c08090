package dev.rotor.protocol;

import java.util.List;

/**
 * A reply to one HTTP/Redis API command (http-api.md §3.2): keys {@code uid} (omitted when empty),
 * {@code method}, {@code error} (always present, {@code null} on success), {@code advice} (omitted when absent),
 * {@code body}. Immutable.
 *
 * @param body the body writer; null writes {@code null}
 */
public record ApiReply(String uid, String method, String error, String advice, Reply.Body body) {

    public void write(JsonWriter w) {
        w.raw('{');
        if (uid != null && !uid.isEmpty()) {
            w.key("uid").string(uid).raw(',');
        }
        w.key("method").string(method).raw(',').key("error").string(error);
        if (advice != null && !advice.isEmpty()) {
            w.raw(',').key("advice").string(advice);
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
