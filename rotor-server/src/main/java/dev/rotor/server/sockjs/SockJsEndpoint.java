package dev.rotor.server.sockjs;

import dev.rotor.node.Node;
import dev.rotor.server.http.BodyBudgetHandler;
import dev.rotor.server.http.Forms;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import dev.rotor.server.websocket.WebSocketUpgrade;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SockJS endpoint: serves every SockJS 0.3.3 URL under {@code <http_prefix>/connection} (client-protocol.md §1.2):
 * greeting, info, iframe page and the session transports. Called by the port's router with the path after {@code
 * /connection}. Thread-safe: the session registry is concurrent and each session runs on its own home event loop.
 */
public final class SockJsEndpoint {
    /** SockJS's disconnect delay: a session without a receiving request for this long is closed. */
    static final long DISCONNECT_DELAY_MILLIS = 5000;
    /**
     * The longest session id accepted (longer ones get 404, as a malformed path does). The session registry keeps
     * each id, and without a cap only the URL length limit bounded it, so sessions of 8 KB ids would have filled the
     * heap long before {@code sockjs_max_sessions}. sockjs-client's ids are 8 characters by default.
     */
    static final int MAX_SESSION_ID = 64;
    private static final Pattern SESSION_URL = Pattern.compile("/([^/.]+)/([^/.]{1," + MAX_SESSION_ID
            + "})/([a-z_]+)");
    private static final Pattern IFRAME_URL = Pattern.compile("/iframe[^/]*\\.html");
    private static final Pattern CALLBACK = Pattern.compile("[a-zA-Z0-9_.]+");
    private static final byte[] GREETING = "Welcome to SockJS!\n".getBytes(StandardCharsets.UTF_8);
    /** JSON framing around one escaped frame in a websocket message: {@code ["..."]}. */
    private static final int WS_FRAMING = 4;

    private final Node node;
    private final String prefix;
    private final int heartbeatSeconds;
    private final BooleanSupplier shuttingDown;
    private final SockJsIframe iframe;
    private final SockJsSessions sessions;
    /** The worker loops' timer wheels. */
    private final LoopTimers timers;
    private final MessageFrameCache messageFrames = new MessageFrameCache();
    private final SecureRandom random = new SecureRandom();
    private final long disconnectDelayMillis;
    private final int responseLimit;

    /**
     * @param prefix           {@code http_prefix}, for the redirect to {@code /connection/}
     * @param sockjsUrl        client library URL for the iframe page
     * @param heartbeatSeconds {@code sockjs_heartbeat_delay}; 0 disables heartbeats
     * @param shuttingDown     true once the server answers 503 to new client connections
     */
    public SockJsEndpoint(Node node, String prefix, String sockjsUrl, int heartbeatSeconds, int maxSessions,
            BooleanSupplier shuttingDown, LoopTimers timers) {
        this(node, prefix, sockjsUrl, heartbeatSeconds, maxSessions, shuttingDown, DISCONNECT_DELAY_MILLIS,
                HttpReceiver.RESPONSE_LIMIT, timers);
    }

    SockJsEndpoint(Node node, String prefix, String sockjsUrl, int heartbeatSeconds, int maxSessions,
            BooleanSupplier shuttingDown, long disconnectDelayMillis, int responseLimit, LoopTimers timers) {
        this.node = node;
        this.sessions = new SockJsSessions(maxSessions);
        this.timers = timers;
        this.prefix = prefix;
        this.heartbeatSeconds = heartbeatSeconds;
        this.shuttingDown = shuttingDown;
        this.iframe = new SockJsIframe(sockjsUrl);
        this.disconnectDelayMillis = disconnectDelayMillis;
        this.responseLimit = responseLimit;
    }

    /** Handles one request; {@code path} is the request path after {@code /connection}. */
    public void handle(ChannelHandlerContext ctx, FullHttpRequest request, String path) {
        HttpMethod method = request.method();
        if (shuttingDown.getAsBoolean()) {
            // configuration.md §7: during shutdown every SockJS request answers 503 with an empty body
            HttpResponses.empty(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE);
        } else if (path.isEmpty()) {
            HttpResponses.redirect(ctx, request, prefix + "/connection/");
        } else if (path.equals("/")) {
            if (method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD)) {
                greeting(ctx, request);
            } else {
                SockJsHttp.methodNotAllowed(ctx, request, "GET");
            }
        } else if (path.equals("/info")) {
            if (method.equals(HttpMethod.GET)) {
                info(ctx, request);
            } else if (method.equals(HttpMethod.OPTIONS)) {
                SockJsHttp.options(ctx, request, "OPTIONS, GET");
            } else {
                SockJsHttp.methodNotAllowed(ctx, request, "OPTIONS, GET");
            }
        } else if (IFRAME_URL.matcher(path).matches()) {
            if (method.equals(HttpMethod.GET)) {
                iframe.serve(ctx, request);
            } else {
                SockJsHttp.methodNotAllowed(ctx, request, "GET");
            }
        } else {
            Matcher m = SESSION_URL.matcher(path);
            if (m.matches()) {
                transport(ctx, request, m.group(2), m.group(3));
            } else {
                HttpResponses.notFound(ctx, request);
            }
        }
    }

    private void greeting(ChannelHandlerContext ctx, FullHttpRequest request) {
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(GREETING));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain;charset=UTF-8");
        HttpResponses.send(ctx, request, r);
    }

    private void info(ChannelHandlerContext ctx, FullHttpRequest request) {
        long entropy = random.nextInt() & 0xffffffffL;
        byte[] body = ("{\"websocket\":true,\"cookie_needed\":false,\"origins\":[\"*:*\"],\"entropy\":" + entropy
                + "}").getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = HttpResponses.response(HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
        r.headers().add(SockJsHttp.noCache(SockJsHttp.cors(request)));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=UTF-8");
        HttpResponses.send(ctx, request, r);
    }

    private void transport(ChannelHandlerContext ctx, FullHttpRequest request, String sessionId, String name) {
        HttpMethod method = request.method();
        switch (name) {
            case "websocket" -> websocket(ctx, request, sessionId);
            case "xhr", "xhr_streaming" -> {
                if (method.equals(HttpMethod.POST)) {
                    receive(ctx, request, sessionId, name.equals("xhr")
                            ? HttpReceiver.Kind.XHR : HttpReceiver.Kind.XHR_STREAMING, "");
                } else if (method.equals(HttpMethod.OPTIONS)) {
                    SockJsHttp.options(ctx, request, "OPTIONS, POST");
                } else {
                    SockJsHttp.methodNotAllowed(ctx, request, "OPTIONS, POST");
                }
            }
            case "xhr_send" -> {
                if (method.equals(HttpMethod.POST)) {
                    send(ctx, request, sessionId, false);
                } else if (method.equals(HttpMethod.OPTIONS)) {
                    SockJsHttp.options(ctx, request, "OPTIONS, POST");
                } else {
                    SockJsHttp.methodNotAllowed(ctx, request, "OPTIONS, POST");
                }
            }
            case "eventsource", "htmlfile", "jsonp" -> {
                if (!method.equals(HttpMethod.GET)) {
                    SockJsHttp.methodNotAllowed(ctx, request, "GET");
                    return;
                }
                HttpReceiver.Kind kind = switch (name) {
                    case "eventsource" -> HttpReceiver.Kind.EVENTSOURCE;
                    case "htmlfile" -> HttpReceiver.Kind.HTMLFILE;
                    default -> HttpReceiver.Kind.JSONP;
                };
                String callback = "";
                if (kind != HttpReceiver.Kind.EVENTSOURCE) {
                    List<String> c = new QueryStringDecoder(request.uri()).parameters().get("c");
                    callback = c == null || c.isEmpty() ? "" : c.get(0);
                    if (callback.isEmpty()) {
                        HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                "\"callback\" parameter required");
                        return;
                    }
                    if (!CALLBACK.matcher(callback).matches()) {
                        HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                                "invalid \"callback\" parameter");
                        return;
                    }
                }
                receive(ctx, request, sessionId, kind, callback);
            }
            case "jsonp_send" -> {
                if (method.equals(HttpMethod.POST)) {
                    send(ctx, request, sessionId, true);
                } else {
                    SockJsHttp.methodNotAllowed(ctx, request, "POST");
                }
            }
            default -> HttpResponses.notFound(ctx, request);
        }
    }

    /** A receiving request: attaches to the session, creating it when the id is new. */
    private void receive(ChannelHandlerContext ctx, FullHttpRequest request, String sessionId,
            HttpReceiver.Kind kind, String callback) {
        SockJsSession existing = sessions.get(sessionId);
        SockJsSessions.Lookup lookup = existing != null ? new SockJsSessions.Lookup(existing, false)
                : sessions.getOrCreate(sessionId, ctx.channel().eventLoop(), (id, loop) -> new SockJsSession(id,
                        loop, node.metrics(), messageFrames, sessions, heartbeatSeconds, disconnectDelayMillis,
                        timers));
        if (lookup == null) {
            // sockjs_max_sessions reached: the client may retry, or fall back as it does for any failed transport
            HttpResponses.error(ctx, request, HttpResponseStatus.SERVICE_UNAVAILABLE, "Too many sessions.");
            return;
        }
        HttpReceiver receiver = new HttpReceiver(ctx.channel(), request, kind, callback, responseLimit);
        SockJsSession session = lookup.session();
        if (lookup.created()) {
            // created on this channel's loop, which becomes the session's home loop
            session.start(node);
        }
        onLoop(session, () -> session.attach(receiver));
    }

    /** {@code xhr_send} (204) and {@code jsonp_send} (200 {@code ok}). */
    private void send(ChannelHandlerContext ctx, FullHttpRequest request, String sessionId, boolean jsonp) {
        byte[] payload = payload(request, jsonp);
        if (payload.length == 0) {
            HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Payload expected.");
            return;
        }
        List<String> messages;
        try {
            messages = SockJsFrames.decode(payload, false);
        } catch (SockJsFrames.TooManyMessagesException e) {
            // beyond v1, which decoded any number (docs/security.md, "Size limits"); none of them is processed
            HttpResponses.error(ctx, request, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Too many messages.");
            return;
        } catch (SockJsFrames.BrokenJsonException e) {
            HttpResponses.error(ctx, request, HttpResponseStatus.INTERNAL_SERVER_ERROR, "Broken JSON encoding.");
            return;
        }
        SockJsSession session = sessions.get(sessionId);
        if (session == null) {
            HttpResponses.notFound(ctx, request);
            return;
        }
        HttpHeaders headers = SockJsHttp.noCache(SockJsHttp.cors(request));
        FullHttpResponse r = jsonp
                ? HttpResponses.response(HttpResponseStatus.OK, Unpooled.copiedBuffer("ok", StandardCharsets.UTF_8))
                : HttpResponses.response(HttpResponseStatus.NO_CONTENT, Unpooled.EMPTY_BUFFER);
        r.headers().add(headers);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        Channel channel = ctx.channel();
        // Answered once the messages are processed (see SockJsSession.receive). Until then requests that arrive on
        // this connection wait, reading paused: pipelined requests keep their answers in order and cannot queue more
        // messages behind it.
        // The decoded messages are held until processed: the body's share of http_body_budget is kept until then,
        // so that sends waiting behind slow frames, of many sessions at once, stay within the budget.
        ReadGate gate = ReadGate.of(channel);
        gate.holdAnswer();
        Runnable releaseBody = BodyBudgetHandler.holdUntilAnswered(ctx);
        onLoop(session, () -> {
            if (!session.send(messages, () -> answer(channel, gate, releaseBody, keepAlive, r))) {
                r.release();
                FullHttpResponse busy = HttpResponses.response(HttpResponseStatus.TOO_MANY_REQUESTS,
                        Unpooled.copiedBuffer("A send of this session is still being processed.\n",
                                StandardCharsets.UTF_8));
                busy.headers().add(headers);
                busy.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=UTF-8");
                answer(channel, gate, releaseBody, keepAlive, busy);
            }
        });
    }

    /** Gives the body's budget back, writes a sending request's answer, then reads from its connection again. */
    private static void answer(Channel channel, ReadGate gate, Runnable releaseBody, boolean keepAlive,
            FullHttpResponse r) {
        releaseBody.run();
        HttpResponses.send(channel, keepAlive, r);
        gate.answerWritten();
    }

    /** The body of a send request: the {@code d} form field when form-encoded, else the raw body. */
    private static byte[] payload(FullHttpRequest request, boolean jsonp) {
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (jsonp && type.startsWith(HttpHeaderValues.APPLICATION_X_WWW_FORM_URLENCODED.toString())) {
            // a bad percent-escape throws Forms.MalformedFormException: the router answers 400
            return Forms.first(Forms.bodyValues(request), "d").getBytes(StandardCharsets.UTF_8);
        }
        return ByteBufUtil.getBytes(request.content());
    }

    private void websocket(ChannelHandlerContext ctx, FullHttpRequest request, String sessionId) {
        if (!request.method().equals(HttpMethod.GET)) {
            SockJsHttp.methodNotAllowed(ctx, request, "GET");
            return;
        }
        if (!WebSocketUpgrade.isUpgrade(request)) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST, "Can \"Upgrade\" only to \"WebSocket\".");
            return;
        }
        if (!request.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)) {
            HttpResponses.error(ctx, request, HttpResponseStatus.BAD_REQUEST, "\"Connection\" must be \"Upgrade\".");
            return;
        }
        // SockJS keepalive is the h heartbeat, so no WebSocket pings (client-protocol.md §7)
        WebSocketUpgrade.upgrade(ctx, request,
                new SockJsWebSocketHandler(node, messageFrames, sessionId, heartbeatSeconds, timers),
                websocketMessageLimit(node.config().clientRequestMaxSize()), 0,
                node.config().clientMessageWriteTimeout(), timers);
    }

    /**
     * The websocket message limit, beyond v1 (whose SockJS library had none): {@code client_request_max_size} bounds
     * each protocol frame (client-protocol.md §3), and a websocket message carries one frame as a JSON string in an
     * array (sockjs-client sends one per message). Escaping grows a frame at most threefold (sockjs-client writes
     * some two-byte characters as six-byte unicode escapes; quotes and backslashes double), so a message up to three
     * times the option plus the framing still reaches the session, which answers an oversized frame with v1's
     * {@code limit exceeded}; a larger message is refused by the decoder before it is buffered.
     */
    static int websocketMessageLimit(int clientRequestMaxSize) {
        if (clientRequestMaxSize <= 0) {
            return WebSocketUpgrade.messageLimit(clientRequestMaxSize);
        }
        return (int) Math.min(Integer.MAX_VALUE, 3L * clientRequestMaxSize + WS_FRAMING);
    }

    private static void onLoop(SockJsSession session, Runnable task) {
        if (session.loop().inEventLoop()) {
            task.run();
        } else {
            session.loop().execute(task);
        }
    }

    /** Sessions currently known (live or recently closed); for tests. */
    int sessionCount() {
        return sessions.size();
    }
}
