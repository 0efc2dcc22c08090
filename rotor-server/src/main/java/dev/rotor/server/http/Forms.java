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

    /** @throws IllegalArgumentException for a malformed percent-escape, in the body or the query string */
    public static Map<String, List<String>> values(FullHttpRequest request) {
        Map<String, List<String>> values = new LinkedHashMap<>();
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (type.startsWith("application/x-www-form-urlencoded") && request.content().isReadable()) {
            String body = request.content().toString(StandardCharsets.UTF_8);
            new QueryStringDecoder(body, StandardCharsets.UTF_8, false).parameters().forEach(values::put);
        }
        new QueryStringDecoder(request.uri()).parameters().forEach(values::putIfAbsent);
        return values;
    }

    /** The first value of a field, {@code ""} when absent. */
    public static String first(Map<String, List<String>> form, String key) {
        List<String> v = form.get(key);
        return v == null || v.isEmpty() ? "" : v.get(0);
    }
}
