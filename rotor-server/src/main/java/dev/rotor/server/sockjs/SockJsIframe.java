package dev.rotor.server.sockjs;

import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SockJS's hidden iframe page ({@code /iframe.html} and versioned {@code /iframe-<anything>.html}), which loads the
 * client library from {@code sockjs_url}. Strongly cacheable, with an ETag and {@code 304} for
 * {@code If-None-Match}. Immutable and thread-safe.
 */
final class SockJsIframe {
    private final byte[] page;
    private final String etag;

    SockJsIframe(String sockjsUrl) {
        String html = """
                <!DOCTYPE html>
                <html>
                <head>
                  <meta http-equiv="X-UA-Compatible" content="IE=edge" />
                  <meta http-equiv="Content-Type" content="text/html; charset=UTF-8" />
                  <script>
                    document.domain = document.domain;
                    _sockjs_onload = function(){SockJS.bootstrap_iframe();};
                  </script>
                  <script src="%s"></script>
                </head>
                <body>
                  <h2>Don't panic!</h2>
                  <p>This is a SockJS hidden iframe. It's used for cross domain magic.</p>
                </body>
                </html>""".formatted(escapeAttribute(sockjsUrl));
        this.page = html.getBytes(StandardCharsets.UTF_8);
        this.etag = "\"" + md5Hex(page) + "\"";
    }

    void serve(ChannelHandlerContext ctx, FullHttpRequest request) {
        String ifNoneMatch = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
        if (etag.equals(ifNoneMatch)) {
            FullHttpResponse r = HttpResponses.response(HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
            r.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
            r.headers().set(HttpHeaderNames.ETAG, etag);
            HttpResponses.send(ctx, request, r);
            return;
        }
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(page));
        SockJsHttp.cacheForever(r.headers());
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/html; charset=UTF-8");
        r.headers().set(HttpHeaderNames.ETAG, etag);
        HttpResponses.send(ctx, request, r);
    }

    String etag() {
        return etag;
    }

    /** The URL goes into a double-quoted HTML attribute. */
    private static String escapeAttribute(String s) {
        return s.replace("&", "&amp;").replace("\"", "&quot;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String md5Hex(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is a required JDK algorithm", e);
        }
    }
}
