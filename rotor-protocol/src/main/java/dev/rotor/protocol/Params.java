package dev.rotor.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the {@code params} of each method into its record, with Go {@code encoding/json} semantics: keys match
 * case-insensitively and the last occurrence wins, unknown keys are ignored, {@code null} leaves a field at its zero
 * value, {@code params: null} is an empty object, and a value of the wrong type fails with {@code invalid message}.
 * Beyond v1, a string that is not well-formed UTF-16 fails too, with {@link ProtocolException#illFormedText()}
 * (v1's Go decoder replaced lone surrogates with U+FFFD instead). Thread-safe (stateless).
 */
public final class Params {
    private Params() {
    }

    /** {@code connect} and {@code refresh}. */
    public record Connect(String user, String timestamp, String info, String token) {
    }

    /** {@code subscribe}. */
    public record Subscribe(String channel, boolean recover, String last, String client, String info, String sign) {
    }

    /** {@code unsubscribe}, {@code presence}, {@code history}: a channel only. */
    public record ChannelOnly(String channel) {
    }

    /** Client {@code publish}; {@code data} is null when the key was absent. */
    public record Publish(String channel, RawJson data) {
    }

    /** {@code ping}. */
    public record Ping(String data) {
    }

    /** API {@code publish}. */
    public record ApiPublish(String channel, RawJson data, String client, String uid) {
    }

    /** API {@code broadcast}; {@code channels} is empty when absent. */
    public record ApiBroadcast(List<String> channels, RawJson data, String client) {
    }

    /** API {@code unsubscribe}. */
    public record ApiUnsubscribe(String channel, String user) {
    }

    /** API {@code disconnect}. */
    public record ApiDisconnect(String user) {
    }

    /** Admin socket {@code connect}. */
    public record AdminConnect(String token, boolean watch) {
    }

    /**
     * The claims of a JWT payload that connection and channel tokens use (rubycent-wire.md, "JWTs from
     * Cent::Notary"). {@code sub}, {@code client} and {@code channel} are null when absent (or JSON null), since
     * their presence tells a connection token from a channel token; {@code info} is the raw JSON value or null,
     * {@code b64info} the base64 string or empty; {@code exp} is UNIX seconds or null when absent, and {@code nbf}
     * UNIX seconds or 0 when absent.
     */
    public record TokenClaims(String sub, String client, String channel, RawJson info, String b64info, Long exp,
            long nbf) {
    }

    /** Visits one field; returns normally after consuming its value. */
    @FunctionalInterface
    private interface FieldHandler {
        void field(String lowerName, JsonParser p, JsonToken value, byte[] src) throws IOException;
    }

    /**
     * Iterates the fields of a params object. A missing params value ({@code raw == null}) is an error, as an
     * empty input is for Go's Unmarshal; {@code null} is an empty object.
     */
    private static void forEachField(RawJson raw, FieldHandler handler) {
        if (raw == null) {
            throw ProtocolException.invalid();
        }
        byte[] src = raw.bytes();
        try (JsonParser p = JsonCodec.FACTORY.createParser(src)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.VALUE_NULL) {
                return;
            }
            if (t != JsonToken.START_OBJECT) {
                throw ProtocolException.invalid();
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName().toLowerCase(java.util.Locale.ROOT);
                JsonToken v = p.nextToken();
                handler.field(name, p, v, src);
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            throw ProtocolException.invalid();
        }
    }

    public static Connect connect(RawJson raw) {
        String[] f = {"", "", "", ""};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "user" -> f[0] = stringOrKeep(p, v, f[0]);
                case "timestamp" -> f[1] = stringOrKeep(p, v, f[1]);
                case "info" -> f[2] = stringOrKeep(p, v, f[2]);
                case "token" -> f[3] = stringOrKeep(p, v, f[3]);
                default -> p.skipChildren();
            }
        });
        return new Connect(f[0], f[1], f[2], f[3]);
    }

    public static Subscribe subscribe(RawJson raw) {
        String[] f = {"", "", "", "", ""};
        boolean[] recover = {false};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "channel" -> f[0] = stringOrKeep(p, v, f[0]);
                case "last" -> f[1] = stringOrKeep(p, v, f[1]);
                case "client" -> f[2] = stringOrKeep(p, v, f[2]);
                case "info" -> f[3] = stringOrKeep(p, v, f[3]);
                case "sign" -> f[4] = stringOrKeep(p, v, f[4]);
                case "recover" -> recover[0] = boolOrKeep(v, recover[0]);
                default -> p.skipChildren();
            }
        });
        return new Subscribe(f[0], recover[0], f[1], f[2], f[3], f[4]);
    }

    public static ChannelOnly channelOnly(RawJson raw) {
        String[] f = {""};
        forEachField(raw, (n, p, v, src) -> {
            if (n.equals("channel")) {
                f[0] = stringOrKeep(p, v, f[0]);
            } else {
                p.skipChildren();
            }
        });
        return new ChannelOnly(f[0]);
    }

    public static Publish publish(RawJson raw) {
        String[] f = {""};
        RawJson[] data = {null};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "channel" -> f[0] = stringOrKeep(p, v, f[0]);
                case "data" -> data[0] = rawValue(p, src);
                default -> p.skipChildren();
            }
        });
        return new Publish(f[0], data[0]);
    }

    /** {@code ping} params are optional: null raw means none. */
    public static Ping ping(RawJson raw) {
        if (raw == null) {
            return new Ping("");
        }
        String[] f = {""};
        forEachField(raw, (n, p, v, src) -> {
            if (n.equals("data")) {
                f[0] = stringOrKeep(p, v, f[0]);
            } else {
                p.skipChildren();
            }
        });
        return new Ping(f[0]);
    }

    public static ApiPublish apiPublish(RawJson raw) {
        String[] f = {"", "", ""};
        RawJson[] data = {null};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "channel" -> f[0] = stringOrKeep(p, v, f[0]);
                case "client" -> f[1] = stringOrKeep(p, v, f[1]);
                case "uid" -> f[2] = stringOrKeep(p, v, f[2]);
                case "data" -> data[0] = rawValue(p, src);
                default -> p.skipChildren();
            }
        });
        return new ApiPublish(f[0], data[0], f[1], f[2]);
    }

    public static ApiBroadcast apiBroadcast(RawJson raw) {
        String[] f = {""};
        RawJson[] data = {null};
        List<List<String>> channels = new ArrayList<>(1);
        channels.add(List.of());
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "client" -> f[0] = stringOrKeep(p, v, f[0]);
                case "data" -> data[0] = rawValue(p, src);
                case "channels" -> channels.set(0, stringList(p, v, channels.get(0)));
                default -> p.skipChildren();
            }
        });
        return new ApiBroadcast(channels.get(0), data[0], f[0]);
    }

    public static ApiUnsubscribe apiUnsubscribe(RawJson raw) {
        String[] f = {"", ""};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "channel" -> f[0] = stringOrKeep(p, v, f[0]);
                case "user" -> f[1] = stringOrKeep(p, v, f[1]);
                default -> p.skipChildren();
            }
        });
        return new ApiUnsubscribe(f[0], f[1]);
    }

    public static ApiDisconnect apiDisconnect(RawJson raw) {
        String[] f = {""};
        forEachField(raw, (n, p, v, src) -> {
            if (n.equals("user")) {
                f[0] = stringOrKeep(p, v, f[0]);
            } else {
                p.skipChildren();
            }
        });
        return new ApiDisconnect(f[0]);
    }

    /** Admin socket {@code connect} params are optional: null raw means none. */
    public static AdminConnect adminConnect(RawJson raw) {
        if (raw == null) {
            return new AdminConnect("", false);
        }
        String[] f = {""};
        boolean[] watch = {false};
        forEachField(raw, (n, p, v, src) -> {
            switch (n) {
                case "token" -> f[0] = stringOrKeep(p, v, f[0]);
                case "watch" -> watch[0] = boolOrKeep(v, watch[0]);
                default -> p.skipChildren();
            }
        });
        return new AdminConnect(f[0], watch[0]);
    }

    /** JWT claims; any JSON object is accepted, a claim of the wrong type fails with {@code invalid message}. */
    public static TokenClaims tokenClaims(RawJson payload) {
        if (payload == null || payload.length() == 0 || payload.bytes()[0] != '{') {
            throw ProtocolException.invalid();
        }
        String[] f = {null, null, null, ""};
        RawJson[] info = {null};
        Long[] times = {null, 0L};
        forEachField(payload, (n, p, v, src) -> {
            switch (n) {
                case "sub" -> f[0] = stringOrKeep(p, v, f[0]);
                case "client" -> f[1] = stringOrKeep(p, v, f[1]);
                case "channel" -> f[2] = stringOrKeep(p, v, f[2]);
                case "b64info" -> f[3] = stringOrKeep(p, v, f[3]);
                case "info" -> info[0] = v == JsonToken.VALUE_NULL ? null : rawValue(p, src);
                case "exp" -> times[0] = secondsOrKeep(p, v, times[0]);
                case "nbf" -> times[1] = secondsOrKeep(p, v, times[1]);
                default -> p.skipChildren();
            }
        });
        return new TokenClaims(f[0], f[1], f[2], info[0], f[3], times[0], times[1]);
    }

    /**
     * A JWT NumericDate: integer or fractional seconds (truncated toward zero, saturating at the range of a long);
     * null keeps the previous value. A number too large for a long saturates rather than wrapping, so a huge
     * negative {@code exp} stays in the past.
     */
    private static Long secondsOrKeep(JsonParser p, JsonToken v, Long previous) throws IOException {
        if (v == JsonToken.VALUE_NUMBER_INT) {
            if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                return p.getBigIntegerValue().signum() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
            return p.getLongValue();
        }
        if (v == JsonToken.VALUE_NUMBER_FLOAT) {
            return (long) p.getDoubleValue(); // the cast saturates, NaN is impossible in JSON
        }
        if (v == JsonToken.VALUE_NULL) {
            return previous;
        }
        throw ProtocolException.invalid();
    }

    /**
     * A string value; null keeps the previous value; anything else is a type error. A string that is not
     * well-formed UTF-16 (a lone surrogate, from a {@code \ud800} escape or from UTF-8 bytes encoding a surrogate)
     * is refused with {@link ProtocolException#illFormedText()}: every string decoded here may become a channel
     * name, an id or a key, or be echoed (docs/security.md, "Unicode").
     */
    static String stringOrKeep(JsonParser p, JsonToken v, String previous) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            String s = p.getText();
            if (!Utf16.isWellFormed(s)) {
                throw ProtocolException.illFormedText();
            }
            return s;
        }
        if (v == JsonToken.VALUE_NULL) {
            return previous;
        }
        throw ProtocolException.invalid();
    }

    private static boolean boolOrKeep(JsonToken v, boolean previous) {
        if (v == JsonToken.VALUE_TRUE) {
            return true;
        }
        if (v == JsonToken.VALUE_FALSE) {
            return false;
        }
        if (v == JsonToken.VALUE_NULL) {
            return previous;
        }
        throw ProtocolException.invalid();
    }

    private static List<String> stringList(JsonParser p, JsonToken v, List<String> previous) throws IOException {
        if (v == JsonToken.VALUE_NULL) {
            return previous;
        }
        if (v != JsonToken.START_ARRAY) {
            throw ProtocolException.invalid();
        }
        List<String> out = new ArrayList<>();
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            out.add(stringOrKeep(p, t, ""));
        }
        return out;
    }

    /**
     * The raw bytes of the current value, exactly as they appear in {@code src}. The parser is positioned on the
     * value's first token and is left on its last token.
     */
    static RawJson rawValue(JsonParser p, byte[] src) throws IOException {
        JsonLocation start = p.currentTokenLocation();
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
            p.skipChildren();
        } else {
            p.finishToken();
        }
        long from = start.getByteOffset();
        long to = p.currentLocation().getByteOffset();
        if (from < 0 || to < from || to > src.length) {
            throw ProtocolException.invalid();
        }
        return RawJson.copyOf(src, (int) from, (int) (to - from));
    }
}
