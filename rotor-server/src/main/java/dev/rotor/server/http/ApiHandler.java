package dev.rotor.server.http;

import dev.rotor.api.ApiExecutor;
import dev.rotor.api.ApiRequestException;
import dev.rotor.auth.Hmac;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves {@code /api/} (http-api.md §1–§3): JSON bodies signed with {@code X-API-Sign}, or the form variant with
 * {@code data} and {@code sign} fields; validation in v1's order and status codes; one reply per command, always
 * a JSON array. Stateless and shareable across channels.
 */
public final class ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Node node;
    private final ApiExecutor executor;

    public ApiHandler(Node node, ApiExecutor executor) {
        this.node = node;
        this.executor = executor;
    }

    /** Handles one request; the caller still owns (and releases) the request. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        executor.countRequest();
        NodeConfig cfg = node.config();
        byte[] payload;
        String sign;
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (contentType.toLowerCase(Locale.ROOT).startsWith("application/json")) {
            payload = ByteBufUtil.getBytes(request.content());
            sign = request.headers().get("X-API-Sign", "");
        } else {
            Map<String, List<String>> form = Forms.values(request);
            payload = Forms.first(form, "data").getBytes(StandardCharsets.UTF_8);
            sign = Forms.first(form, "sign");
        }
        // http-api.md §2.4, in order
        if (!cfg.insecureApi() && sign.isEmpty()) {
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "no sign found in API request");
            return;
        }
        if (payload.length == 0) {
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "no data found in API request");
            return;
        }
        if (!cfg.insecureApi()) {
            if (cfg.secret().isEmpty()) {
                reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "no secret set in configuration");
                return;
            }
            if (!Hmac.checkApiSign(cfg.secret(), payload, sign)) {
                reject(ctx, request, HttpResponseStatus.UNAUTHORIZED, "invalid sign");
                return;
            }
        }
        List<Command> commands;
        try {
            commands = CommandDecoder.decode(payload, true);
        } catch (ProtocolException e) {
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "malformed API request");
            return;
        }
        request.retain();
        executor.execute(commands).whenComplete((replies, error) -> {
            try {
                node.metrics().recordHttpApiMicros((System.nanoTime() - started) / 1000);
                if (error == null) {
                    HttpResponses.json(ctx, request, ApiReply.encode(replies));
                } else {
                    Throwable cause = Node.unwrapError(error);
                    if (!(cause instanceof ApiRequestException)) {
                        log.error("API request failed unexpectedly", cause);
                        HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR);
                    } else {
                        reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "API request rejected: "
                                + ((ApiRequestException) cause).error().text());
                    }
                }
            } finally {
                request.release();
            }
        });
    }

    /** One log line per rejected request, then v1's plain-text error (http-api.md §2.4). */
    private static void reject(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String why) {
        log.info("{} from {}", why, ctx.channel().remoteAddress());
        HttpResponses.error(ctx, request, status);
    }
}
