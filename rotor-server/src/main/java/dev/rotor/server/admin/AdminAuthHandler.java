package dev.rotor.server.admin;

import dev.rotor.auth.AdminTokens;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.server.http.Forms;
import dev.rotor.server.http.HttpResponses;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.security.MessageDigest;
import java.nio.charset.StandardCharsets;

/**
 * Web interface login at {@code /auth/} (admin-and-web.md §2): the {@code password} form value, from the query
 * string or the body, is exchanged for an admin token. Stateless and shareable.
 */
public final class AdminAuthHandler {
    private final Node node;

    public AdminAuthHandler(Node node) {
        this.node = node;
    }

    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        NodeConfig cfg = node.config();
        if (cfg.insecureAdmin()) {
            token(ctx, request, "insecure");
            return;
        }
        if (cfg.adminPassword().isEmpty() || cfg.adminSecret().isEmpty()) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        String password = Forms.first(Forms.values(request), "password");
        if (!MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                cfg.adminPassword().getBytes(StandardCharsets.UTF_8))) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST);
            return;
        }
        token(ctx, request, AdminTokens.issue(cfg.adminSecret(), System.currentTimeMillis() / 1000));
    }

    /** {@code {"token":"..."}} plus a newline, as Go's json.Encoder writes it. */
    private static void token(ChannelHandlerContext ctx, FullHttpRequest request, String token) {
        JsonWriter w = new JsonWriter(64);
        w.raw('{').key("token").string(token).raw("}\n");
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(w.toByteArray()));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        HttpResponses.send(ctx, request, r);
    }
}
