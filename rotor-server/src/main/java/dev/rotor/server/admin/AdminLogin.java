package dev.rotor.server.admin;

import dev.rotor.auth.AdminTokens;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.server.http.Forms;
import dev.rotor.server.http.HttpResponses;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.server.transport.ReadGate;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The web interface login endpoint {@code /auth/} (admin-and-web.md §2): the {@code password} form value, from the
 * query string or the body, is exchanged for an admin token. Beyond v1, guesses are throttled by a {@link
 * LoginThrottle} keyed by the peer's address: a wrong password is answered only after the throttle's delay, on the
 * connection's event loop timer (the loop never waits), and an attempt the throttle does not admit gets {@code 429} at
 * once without its password being checked. Shareable; the throttle is its only state.
 */
public final class AdminLogin {
    private final Node node;
    private final LoginThrottle throttle;
    private final LoopTimers timers;

    public AdminLogin(Node node, LoginThrottle throttle, LoopTimers timers) {
        this.node = node;
        this.throttle = throttle;
        this.timers = timers;
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
        // parsed before the throttle admits the attempt: a malformed form throws (the router answers 400), and an
        // attempt admitted then would never be answered and would hold its address's slot, and one of the
        // throttle's in-progress slots for everyone, until restart
        String password = Forms.first(Forms.values(request), "password");
        Object peer = peerKey(ctx.channel().remoteAddress());
        if (!throttle.admit(peer)) {
            FullHttpResponse r = HttpResponses.response(HttpResponseStatus.TOO_MANY_REQUESTS,
                    Unpooled.copiedBuffer("Too Many Requests\n", StandardCharsets.UTF_8));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
            HttpResponses.send(ctx, request, r);
            return;
        }
        // constant time: how long the compare takes says nothing about how much of the password was right
        if (MessageDigest.isEqual(password.getBytes(StandardCharsets.UTF_8),
                cfg.adminPassword().getBytes(StandardCharsets.UTF_8))) {
            throttle.succeeded(peer);
            throttle.answered(peer);
            token(ctx, request, AdminTokens.issue(cfg.adminSecret(), System.currentTimeMillis() / 1000));
            return;
        }
        long delay = throttle.failed(peer);
        // the request is released when this returns: keep only what the answer needs
        HttpRequest head = new DefaultHttpRequest(request.protocolVersion(), request.method(), request.uri(),
                request.headers().copy());
        // no further request is read from this connection until the held answer is written, so answers keep
        // their order (HTTP/1.1 pipelining)
        ReadGate gate = ReadGate.of(ctx.channel());
        gate.holdAnswer();
        gate.pause(ReadGate.HELD_ANSWER);
        timers.timers(ctx.channel().eventLoop()).schedule(() -> {
            throttle.answered(peer);
            HttpResponses.error(ctx, head, HttpResponseStatus.BAD_REQUEST);
            gate.answerWritten(); // after the answer: a pipelined request held meanwhile is answered after it
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * The throttle's key for a peer: its IP address; for IPv6 its /64 network, since one host commonly holds a
     * whole /64 and could otherwise take a fresh address for every guess.
     */
    static Object peerKey(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return String.valueOf(remote);
        }
        InetAddress address = inet.getAddress();
        if (address instanceof Inet6Address) {
            byte[] network = Arrays.copyOf(address.getAddress(), 16);
            Arrays.fill(network, 8, 16, (byte) 0);
            try {
                return InetAddress.getByAddress(network);
            } catch (UnknownHostException impossible) {
                throw new IllegalStateException(impossible);
            }
        }
        return address;
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
