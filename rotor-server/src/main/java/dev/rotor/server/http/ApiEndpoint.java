package dev.rotor.server.http;

import dev.rotor.api.ApiExecutor;
import dev.rotor.api.ApiRequestException;
import dev.rotor.api.ApiV2;
import dev.rotor.auth.ApiKey;
import dev.rotor.auth.Hmac;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.node.ThrottledLog;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.CommandDecoder;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.server.transport.ReadGate;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server API endpoint {@code /api/}, called by the port's router with each request (http-api.md §1–§3): JSON bodies
 * signed with {@code X-API-Sign}, or the form variant with {@code data} and {@code sign} fields; validation in v1's
 * order and status codes; one reply per command, always a JSON array. Beyond v1, a request with {@code Authorization:
 * apikey <key>} and no {@code X-API-Sign} on {@code /api} or {@code /api/} speaks the Centrifugo v2 dialect instead
 * ({@link #handleV2}). Stateless and shareable across channels.
 */
public final class ApiEndpoint {
    private static final Logger log = LoggerFactory.getLogger(ApiEndpoint.class);
    /**
     * Refused requests, one line as v1 writes it and then at most one per 10 s with the count of the rest: the API
     * shares the client port by default, and one connection pipelining unsigned requests wrote a line each, as many
     * bytes of log as it sent.
     */
    private final ThrottledLog refused = new ThrottledLog(log, Clock.systemUTC(), 10_000);

    private final Node node;
    private final ApiExecutor executor;
    private final ApiV2 v2;

    public ApiEndpoint(Node node, ApiExecutor executor) {
        this.node = node;
        this.executor = executor;
        this.v2 = new ApiV2(executor);
    }

    /** True for a request of the v2 dialect: an {@code apikey} Authorization header and no v1 signature header. */
    public static boolean isV2(HttpRequest request) {
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
        FullHttpResponse refusal = refusal(ctx, request, true);
        if (refusal != null) {
            HttpResponses.send(ctx, request, refusal);
            return;
        }
        if (!request.method().equals(HttpMethod.POST)) {
            refused.info("{}", "API request with method " + request.method() + " from " + ctx.channel().remoteAddress());
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
        answerInOrder(ctx, v2.execute(commands.get(0)), (response, error) -> {
            try {
                node.metrics().recordHttpApiMicros((System.nanoTime() - started) / 1000);
                if (error == null) {
                    HttpResponses.json(ctx, request, response);
                } else {
                    log.error("API request failed unexpectedly", Failures.cause(error));
                    HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR);
                }
            } finally {
                request.release();
            }
        });
    }

    /**
     * Judges a request from its head alone (docs/security.md): unless {@code insecure_api} is on, a v2 request without
     * the right key (401, empty body) and a JSON request without {@code X-API-Sign} (400, http-api.md §2.4: the
     * missing sign is checked before the body is looked at) cannot be valid. Form requests carry their sign in the
     * body and pass. Counts the refused request as handled. Returns the answer, or null to read the body.
     */
    public FullHttpResponse judgeHead(ChannelHandlerContext ctx, HttpRequest head, boolean v2) {
        FullHttpResponse refusal = refusal(ctx, head, v2);
        if (refusal != null) {
            executor.countRequest();
        }
        return refusal;
    }

    private FullHttpResponse refusal(ChannelHandlerContext ctx, HttpRequest head, boolean v2) {
        NodeConfig cfg = node.config();
        if (cfg.insecureApi()) {
            return null;
        }
        if (v2) {
            if (ApiKey.check(cfg.apiKey(), head.headers().get(HttpHeaderNames.AUTHORIZATION))) {
                return null;
            }
            refused.info("{}", (cfg.apiKey().isEmpty() ? "apikey API request but no api_key configured"
                    : "invalid API key") + " from " + ctx.channel().remoteAddress());
            return HttpResponses.response(HttpResponseStatus.UNAUTHORIZED, Unpooled.EMPTY_BUFFER);
        }
        if (isJson(head) && head.headers().get("X-API-Sign", "").isEmpty()) {
            refused.info("{}", "no sign found in API request from " + ctx.channel().remoteAddress());
            return HttpResponses.errorResponse(HttpResponseStatus.BAD_REQUEST, "Bad Request");
        }
        return null;
    }

    /** http-api.md §2.1: the JSON encoding; anything else is the form variant. */
    private static boolean isJson(HttpRequest head) {
        return head.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT)
                .startsWith("application/json");
    }

    /**
     * Handles one request; the caller still owns (and releases) the request.
     *
     * @throws Forms.MalformedFormException when a form field has a bad percent-escape, before anything is sent
     */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request) {
        long started = System.nanoTime();
        executor.countRequest();
        NodeConfig cfg = node.config();
        byte[] payload;
        String sign;
        if (isJson(request)) {
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
        answerInOrder(ctx, executor.execute(commands), (replies, error) -> {
            try {
                node.metrics().recordHttpApiMicros((System.nanoTime() - started) / 1000);
                if (error == null) {
                    HttpResponses.json(ctx, request, ApiReply.encode(replies));
                } else {
                    Throwable cause = Failures.cause(error);
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

    /**
     * Answers with {@code answer} once {@code execution} completes. While it is pending (an engine call), requests
     * that arrive on the connection wait ({@link ReadGate#holdAnswer}): otherwise a pipelined request that finished
     * first (another Redis shard, no engine call at all) would be answered first, and HTTP/1.1 pairs answers with
     * requests by their order only. An execution that completed at once (the memory engine, as a rule) is answered
     * at once.
     */
    private static <T> void answerInOrder(ChannelHandlerContext ctx, CompletionStage<T> execution,
            BiConsumer<T, Throwable> answer) {
        if (execution.toCompletableFuture().isDone()) {
            execution.whenComplete(answer);
            return;
        }
        ReadGate gate = ReadGate.of(ctx.channel());
        gate.holdAnswer();
        execution.whenComplete((result, error) -> {
            try {
                answer.accept(result, error);
            } finally {
                gate.answerWritten();
            }
        });
    }

    /** A log line (throttled, see {@link #refused}), then v1's plain-text error (http-api.md §2.4). */
    private void reject(ChannelHandlerContext ctx, FullHttpRequest request, HttpResponseStatus status,
            String why) {
        refused.info("{}", why + " from " + ctx.channel().remoteAddress());
        HttpResponses.error(ctx, request, status);
    }
}
