package dev.rotor.server.sse;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.node.ClientSession;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.Disconnect;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.timer.Timeout;
import dev.rotor.timer.TimerWheel;
import dev.rotor.timer.Timers;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.WriteTimeoutException;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code uni_sse} connection from its request on (docs/sse.md): opens a core session, hands it the request's
 * {@code connect} and {@code subscribe} commands as one frame, and turns the outcome into either an HTTP error or
 * the start of the event stream (the connect reply, then each subscribe reply, then every push); afterwards it
 * sends the keepalive comments every {@code ping_interval} and ends the session when the connection goes away. The
 * client has nothing more to say: anything it sends on the connection closes it.
 *
 * <p>Replaces the router in the connection's pipeline, and the HTTP phase's request handlers leave it (the codec
 * stays, to encode the response): the first message decoded after the request comes here. Confined to the channel's
 * event loop.
 */
final class UniSseHandler extends ChannelInboundHandlerAdapter implements SseTransport.Handshake, Runnable {
    private static final Logger log = LoggerFactory.getLogger(UniSseHandler.class);

    private final Node node;
    private final UniSseQuery query;
    /** The client frame the query stands for ({@link UniSseQuery#commands()}). */
    private final byte[] commands;
    /** The stream's response headers (content type, caching, CORS), read from the request before it was released. */
    private final HttpHeaders headers;
    private final boolean http10;
    /** The core session's timers and the transport's close deadline, on the channel loop's wheel. */
    private final Timers timers;
    private final TimerWheel wheel;
    private final long pingNanos;
    // ---- only touched on the event loop ----------------------------------------------------------------------
    /** Null until added to the pipeline. */
    private ChannelHandlerContext ctx;
    private SseTransport transport;
    private ClientSession session;
    /** The keepalive; null until the stream starts, and when {@code ping_interval} is 0. */
    private Timeout ping;

    /**
     * @param headers      the response headers of the stream (and of its errors: CORS)
     * @param pingInterval {@code ping_interval} seconds; 0 sends no keepalive comments
     */
    UniSseHandler(Node node, UniSseQuery query, byte[] commands, HttpHeaders headers, boolean http10, Timers timers,
            TimerWheel wheel, int pingInterval) {
        this.node = node;
        this.query = query;
        this.commands = commands;
        this.headers = headers;
        this.http10 = http10;
        this.timers = timers;
        this.wheel = wheel;
        this.pingNanos = TimeUnit.SECONDS.toNanos(Math.max(0, pingInterval));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        transport = new SseTransport(ctx.channel(), node.metrics(), timers, this);
        session = node.openSession(transport, timers);
        // the outcome comes back through replied() or refused(), in a later task of this loop
        session.handleFrame(commands);
    }

    @Override
    public void replied(byte[] reply) {
        if (transport.isClosed()) {
            return;
        }
        List<byte[]> replies = elements(reply);
        List<ReplySummary> summaries = new ArrayList<>(replies.size());
        for (byte[] r : replies) {
            summaries.add(ReplySummary.of(r));
        }
        for (int i = 1; i < summaries.size(); i++) {
            String error = summaries.get(i).error();
            if (!error.isEmpty()) {
                refuse(error.equals(ProtocolError.PERMISSION_DENIED.text()) ? HttpResponseStatus.FORBIDDEN
                        : HttpResponseStatus.BAD_REQUEST, error + ": " + query.channels().get(i - 1));
                return;
            }
        }
        start(replies, summaries);
    }

    /**
     * What the stream needs of one reply: its {@code error}, and its body's {@code last}, {@code recovered} and message
     * uids, read with a streaming parser that skips everything else. A tree of the whole reply cost many times its
     * bytes when the data held many small values: a recovering handshake of a client allowed
     * {@code client_queue_max_size} of replies then held a multiple of that on the heap at once.
     */
    record ReplySummary(String error, String last, boolean recovered, List<String> uids) {
        static ReplySummary of(byte[] reply) {
            String error = "";
            String last = "";
            boolean recovered = false;
            List<String> uids = new ArrayList<>();
            try (JsonParser p = JsonCodec.factory().createParser(reply)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("a reply that is not an object");
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    JsonToken value = p.nextToken();
                    if (name.equals("error") && value == JsonToken.VALUE_STRING) {
                        error = p.getText();
                    } else if (name.equals("body") && value == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            JsonToken v = p.nextToken();
                            if (field.equals("last") && v == JsonToken.VALUE_STRING) {
                                last = p.getText();
                            } else if (field.equals("recovered")) {
                                recovered = v == JsonToken.VALUE_TRUE;
                            } else if (field.equals("messages") && v == JsonToken.START_ARRAY) {
                                while (p.nextToken() == JsonToken.START_OBJECT) {
                                    uids.add(uid(p));
                                }
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new IllegalStateException("the core's reply is not JSON", e);
            }
            return new ReplySummary(error, last, recovered, uids);
        }

        /** The {@code uid} of the message object the parser is in, which it leaves at that object's end. */
        private static String uid(JsonParser p) throws IOException {
            String uid = "";
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.VALUE_STRING && field.equals("uid")) {
                    uid = p.getText();
                } else {
                    p.skipChildren();
                }
            }
            return uid;
        }
    }

    /** The stream: the response head, the connect and subscribe replies as the first events, then the pushes. */
    private void start(List<byte[]> replies, List<ReplySummary> summaries) {
        NodeConfig config = node.config();
        List<String> channels = query.channels();
        List<Boolean> recover = new ArrayList<>(channels.size());
        for (String channel : channels) {
            ChannelOptions options = config.channelOptions(channel);
            recover.add(options != null && options.recover());
        }
        StreamPositions positions = new StreamPositions(channels, recover);
        for (int i = 0; i < channels.size(); i++) {
            ReplySummary subscribed = summaries.get(i + 1);
            positions.subscribed(channels.get(i), subscribed.last(), subscribed.uids(), subscribed.recovered(),
                    query.positions() == null ? null : query.positions().get(i));
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().add(headers);
        if (http10) {
            // no chunked encoding in HTTP/1.0: the body ends when the connection closes
            head.headers().set(HttpHeaderNames.CONNECTION, "close");
        } else {
            HttpUtil.setTransferEncodingChunked(head, true);
        }
        ctx.write(head, ctx.voidPromise());
        for (int i = 0; i < replies.size(); i++) {
            boolean last = i == replies.size() - 1;
            transport.writeEvent(last && positions.tracking() ? positions.id() : null, replies.get(i));
        }
        ctx.flush();
        transport.start(positions);
        if (pingNanos > 0) {
            ping = wheel.newTimeout(this);
            ping.schedule(pingNanos);
        }
    }

    /** The keepalive comment, every {@code ping_interval}; a failed write ends the session (client-protocol.md §7). */
    @Override
    public void run() {
        if (transport.ping(f -> {
            if (!f.isSuccess()) {
                session.close(Disconnect.WRITE_PING_ERROR);
            }
        })) {
            ping.schedule(pingNanos);
        }
    }

    @Override
    public void refused(Disconnect disconnect) {
        refuse(statusOf(disconnect), disconnect.reason());
    }

    /** Answers the request with an HTTP error and closes the connection; the session ends without advice. */
    private void refuse(HttpResponseStatus status, String text) {
        transport.markClosed();
        session.close(Disconnect.DEFAULT);
        if (!ctx.channel().isActive()) {
            return;
        }
        FullHttpResponse response = HttpResponses.errorResponse(status, text);
        response.headers().add(headers.copy().remove(HttpHeaderNames.CONTENT_TYPE)
                .remove(HttpHeaderNames.CACHE_CONTROL));
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /**
     * The HTTP status of a close before the stream started: 401 for credentials (a bad token; an expired one, which
     * leaves the connection unauthorized for its subscribes), 400 for malformed ones, 429 past
     * {@code user_connection_limit}, 503 when it may be retried (shutting down, an engine failure, pushes past
     * {@code client_queue_max_size} before the stream could start), 403 otherwise.
     */
    static HttpResponseStatus statusOf(Disconnect disconnect) {
        String reason = disconnect.reason();
        if (reason.equals(ProtocolError.INVALID_TOKEN.text()) || reason.equals(ProtocolError.UNAUTHORIZED.text())) {
            return HttpResponseStatus.UNAUTHORIZED;
        }
        if (reason.equals(ProtocolError.INVALID_MESSAGE.text())) {
            return HttpResponseStatus.BAD_REQUEST;
        }
        if (reason.equals(ProtocolError.LIMIT_EXCEEDED.text())) {
            return HttpResponseStatus.TOO_MANY_REQUESTS;
        }
        if (disconnect.equals(Disconnect.SLOW)) {
            // pushes for the channels overflowed client_queue_max_size while the subscribes ran: try again later
            return HttpResponseStatus.SERVICE_UNAVAILABLE;
        }
        return disconnect.reconnect() ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.FORBIDDEN;
    }

    /** The elements of a JSON array, each as its own bytes (the replies of one frame, client-protocol.md §2.2). */
    static List<byte[]> elements(byte[] array) {
        List<byte[]> out = new ArrayList<>();
        try (JsonParser p = JsonCodec.factory().createParser(array)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalStateException("not an array");
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                int from = (int) p.currentTokenLocation().getByteOffset();
                p.skipChildren();
                int to = (int) p.currentLocation().getByteOffset();
                out.add(Arrays.copyOfRange(array, from, to));
            }
        } catch (IOException e) {
            throw new IllegalStateException("the core's reply is not JSON", e);
        }
        return out;
    }

    /** The peer sends nothing on an event stream: a second request, or anything else, ends the connection. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (ping != null) {
            ping.cancel();
        }
        transport.markClosed();
        session.transportClosed();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof WriteTimeoutException) {
            // client_message_write_timeout elapsed (client-protocol.md §7)
            session.close(Disconnect.ERROR_SENDING);
            return;
        }
        log.debug("uni_sse connection error: {}", cause.toString());
        ctx.close();
    }
}
