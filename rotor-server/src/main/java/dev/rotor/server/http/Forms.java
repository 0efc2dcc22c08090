package dev.rotor.server.http;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Form values like Go's {@code r.FormValue}: an urlencoded body first, then the query string. Stateless. */
public final class Forms {
    private Forms() {
    }

    /**
     * A form field with a bad percent-escape. Go drops such a pair and goes on; Rotor answers the whole request with
     * 400 (docs/security.md). Thrown before the handler has sent anything, so the router can still answer.
     */
    public static final class MalformedFormException extends RuntimeException {
        MalformedFormException(IllegalArgumentException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    /**
     * The body's fields, then the query string's.
     *
     * @throws MalformedFormException on a bad percent-escape
     */
    public static Map<String, List<String>> values(FullHttpRequest request) {
        Map<String, List<String>> values = bodyValues(request);
        try {
            new QueryStringDecoder(request.uri()).parameters().forEach(values::putIfAbsent);
        } catch (IllegalArgumentException e) {
            throw new MalformedFormException(e);
        }
        return values;
    }

    /**
     * The fields of an {@code application/x-www-form-urlencoded} body; empty for other bodies.
     *
     * @throws MalformedFormException on a bad percent-escape
     */
    public static Map<String, List<String>> bodyValues(FullHttpRequest request) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") && request.content().isReadable()) {
            String body = request.content().toString(StandardCharsets.UTF_8);
            try {
                new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters().forEach(values::put);
            } catch (IllegalArgumentException e) {
                throw new MalformedFormException(e);
            }
        }
        return values;
    }

    /** The first value of a field, {@code ""} when absent. */
    public static String first(Map<String, List<String>> form, String key) {
        List<String> v = form.get(key);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }
}
