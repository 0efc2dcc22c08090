package dev.rotor.server.http;

import dev.rotor.api.ApiExecutor;
import dev.rotor.api.ApiRequestException;
import dev.rotor.api.ApiV2;
import dev.rotor.auth.ApiKey;
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
import io.netty.handler.codec.http.HttpMethod;
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
 * a JSON array. Beyond v1, a request with {@code Authorization: apikey <key>} and no {@code X-API-Sign} on
 * {@code /api} or {@code /api/} speaks the Centrifugo v2 dialect instead ({@link #handleV2}). Stateless and
 * shareable across channels.
 */
public final class ApiHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);

    private final Node node;
    private final ApiExecutor executor;
    private final ApiV2 v2;

    public ApiHandler(Node node, ApiExecutor executor) {
        this.node = node;
        this.executor = executor;
        this.v2 = new ApiV2(executor);
    }

    /** True for a request of the v2 dialect: an {@code apikey} Authorization header and no v1 signature header. */
    public static boolean isV2(FullHttpRequest request) {
        return !request.headers().contains("X-API-Sign")
                && ApiKey.isApiKeyHeader(request.headers().get(HttpHeaderNames.AUTHORIZATION));
    }

    /**
     * The v2 dialect (rubycent-wire.md): 401 with an empty body unless the key matches {@code api_key} (or
     * {@code insecure_api} is on), 405 for methods other than POST, 400 for an empty body or one that is not a
     * single command object; otherwise 200 with {@code {}}, {@code {"result":..}} or {@code {"error":..}}.
     */
    public void handleV2(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        executor.countRequest();
        NodeConfig cfg = node.config();
        if (!cfg.insecureApi()
                && !ApiKey.check(cfg.apiKey(), request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            log.info("{} from {}", cfg.apiKey().isEmpty() ? "apikey API request but no api_key configured"
                    : "invalid API key", ctx.channel().remoteAddress());
            HttpResponses.empty(ctx, request, HttpResponseStatus.UNAUTHORIZED);
            return;
        }
        if (!request.method().equals(HttpMethod.POST)) {
            log.info("API request with method {} from {}", request.method(), ctx.channel().remoteAddress());
            HttpResponses.empty(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        byte[] payload = ByteBufUtil.getBytes(request.content());
        String body = new String(payload, StandardCharsets.UTF_8).strip();
        List<Command> commands;
        try {
            commands = body.startsWith("{")
                    ? CommandDecoder.decode(body.getBytes(StandardCharsets.UTF_8), false)
                    : List.of();
        } catch (ProtocolException e) {
            commands = List.of();
        }
        if (commands.size() != 1) {
            reject(ctx, request, HttpResponseStatus.BAD_REQUEST,
                    body.isEmpty() ? "no data found in API request" : "malformed API request");
            return;
        }
        request.retain();
        v2.execute(commands.get(0)).whenComplete((response, error) -> {
            try {
                node.metrics().recordHttpApiMicros((System.nanoTime() - started) / 1000);
                if (error == null) {
                    HttpResponses.json(ctx, request, response);
                } else {
                    log.error("API request failed unexpectedly", Node.unwrapError(error));
                    HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR);
                }
            } finally {
                request.release();
            }
        });
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
            Map<String, List<String>> form;
            try {
                form = Forms.values(request);
            } catch (IllegalArgumentException e) {
                // Go's FormValue drops a form it cannot decode, leaving no sign and no data: 400 either way
                reject(ctx, request, HttpResponseStatus.BAD_REQUEST, "undecodable form in API request");
                return;
            }
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
