package dev.rotor.node;

/**
 * Client frames and server replies in v1's exact bytes, for the core's protocol tests. Stateless.
 *
 * <p>{@link #json} lets a test write JSON with single quotes, {@code json("{'method':'ping'}")}, so frames read as
 * they appear on the wire.
 */
public final class Frames {
    private Frames() {
    }

    /** {@code text} with every {@code '} turned into {@code "}. */
    public static String json(String text) {
        return text.replace('\'', '"');
    }

    public static String subscribe(String uid, String channel) {
        return json("{'uid':'" + uid + "','method':'subscribe','params':{'channel':'" + channel + "'}}");
    }

    /** A successful subscribe reply without recovery; {@code channel} as the server escapes it. */
    public static String subscribeOk(String uid, String channel) {
        return json("{'uid':'" + uid + "','method':'subscribe','body':{'channel':'" + channel
                + "','status':true,'last':'','messages':null,'recovered':false}}");
    }

    /** A subscribe response error, which always carries advice {@code fix}. */
    public static String subscribeError(String uid, String channel, String error) {
        return json("{'uid':'" + uid + "','method':'subscribe','error':'" + error + "','advice':'fix',"
                + "'body':{'channel':'" + channel + "','status':false,'last':'','messages':null,'recovered':false}}");
    }

    public static String unsubscribe(String uid, String channel) {
        return json("{'uid':'" + uid + "','method':'unsubscribe','params':{'channel':'" + channel + "'}}");
    }

    public static String publish(String uid, String channel, String data) {
        return json("{'uid':'" + uid + "','method':'publish','params':{'channel':'" + channel + "','data':" + data
                + "}}");
    }

    public static String presence(String uid, String channel) {
        return json("{'uid':'" + uid + "','method':'presence','params':{'channel':'" + channel + "'}}");
    }

    public static String history(String uid, String channel) {
        return json("{'uid':'" + uid + "','method':'history','params':{'channel':'" + channel + "'}}");
    }

    /** A reply whose body is {@code {"channel","status"}} (unsubscribe, publish). */
    public static String statusReply(String uid, String method, String channel, boolean status) {
        return json("{'uid':'" + uid + "','method':'" + method + "','body':{'channel':'" + channel + "','status':"
                + status + "}}");
    }

    /** A connect or refresh command with a v1 token signed by {@link TestNode#SECRET}. */
    public static String connect(String method, String uid, String user, long timestamp, String info) {
        String frame = TestNode.connectFrame(user, timestamp, info);
        return frame.replaceFirst("^\\{\"method\":\"connect\"",
                "{" + (uid.isEmpty() ? "" : "\"uid\":\"" + uid + "\",") + "\"method\":\"" + method + "\"");
    }

    /** A connect or refresh reply body. */
    public static String connectReply(String uid, String method, String client, boolean expires, boolean expired,
            long ttl) {
        return json("{" + (uid.isEmpty() ? "" : "'uid':'" + uid + "',") + "'method':'" + method
                + "','body':{'version':'1.8.0','client':'" + client + "','expires':" + expires + ",'expired':"
                + expired + ",'ttl':" + ttl + "}}");
    }
}
