package dev.rotor.node;

import dev.rotor.auth.Hmac;
import dev.rotor.auth.InvalidTokenException;
import dev.rotor.auth.Jwt;
import dev.rotor.channel.ChannelNaming;
import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.protocol.Advice;
import dev.rotor.protocol.ClientInfo;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.JsonCodec;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Method;
import dev.rotor.protocol.Params;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.RawJson;
import dev.rotor.protocol.Reply;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Executes the client methods of one session (client-protocol.md §5), in the processing order v1 uses. A fatal
 * error is a {@link ProtocolException} thrown or completing the stage exceptionally; a response error is a reply
 * carrying {@code error} and {@code advice}. Thread-safe as its session is (stateless itself).
 */
final class ClientCommands {
    private static final Logger log = LoggerFactory.getLogger(ClientCommands.class);

    private final Node node;
    private final ClientSession session;

    ClientCommands(Node node, ClientSession session) {
        this.node = node;
        this.session = session;
    }

    /** Executes one command; the stage completes with the reply or exceptionally with a fatal ProtocolException. */
    CompletionStage<Reply> execute(Command cmd) {
        try {
            Method method = Method.find(cmd.method(), Method.Surface.CLIENT);
            if (method != Method.CONNECT && !session.isAuthenticated()) {
                throw new ProtocolException(ProtocolError.UNAUTHORIZED);
            }
            if (method == null) {
                throw new ProtocolException(ProtocolError.METHOD_NOT_FOUND);
            }
            return switch (method) {
                case CONNECT -> CompletableFuture.completedFuture(connect(cmd));
                case REFRESH -> CompletableFuture.completedFuture(refresh(cmd));
                case SUBSCRIBE -> subscribe(cmd);
                case UNSUBSCRIBE -> unsubscribe(cmd);
                case PUBLISH -> publish(cmd);
                case PRESENCE -> presence(cmd);
                case HISTORY -> history(cmd);
                case PING -> CompletableFuture.completedFuture(
                        new Reply(cmd.uid(), "ping", null, null, Reply.pingBody(Params.ping(cmd.params()).data())));
                default -> throw new IllegalStateException("not a client method: " + method);
            };
        } catch (ProtocolException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    // ---- connect / refresh (§5.1, §5.2) -----------------------------------------------------------------------

    private Reply connect(Command cmd) {
        Params.Connect p = Params.connect(cmd.params());
        node.metrics().inc(Counter.CLIENT_NUM_CONNECT);
        if (session.isAuthenticated()) {
            throw ProtocolException.invalid();
        }
        NodeConfig cfg = node.config();
        long now = node.nowSeconds();
        String user;
        long ts;
        RawJson info;
        long tokenExp = 0;
        boolean tokenExpires = false;
        if (cfg.insecure()) {
            user = p.user();
            ts = now;
            info = parseInfo(p.info());
        } else if (Jwt.looksLikeJwt(p.token())) {
            // beyond v1: the claims are authoritative; the user, timestamp and info params are not used
            Jwt.Claims claims = verifyConnectionJwt(p.token(), cfg, now);
            user = claims.sub();
            ts = now;
            info = claims.info();
            tokenExpires = claims.expires();
            tokenExp = claims.exp();
        } else {
            if (!Hmac.checkClientToken(cfg.secret(), p.user(), p.timestamp(), p.info(), p.token())) {
                throw new ProtocolException(ProtocolError.INVALID_TOKEN);
            }
            user = p.user();
            ts = parseTimestamp(p.timestamp());
            info = parseInfo(p.info());
        }
        int limit = cfg.userConnectionLimit();
        if (limit > 0 && !user.isEmpty() && node.hub().userConnectionCount(user) >= limit) {
            throw new ProtocolException(ProtocolError.LIMIT_EXCEEDED);
        }
        int lifetime = cfg.connectionLifetime();
        boolean expires = lifetime > 0;
        long ttl = lifetime;
        long expireAfter = 0;
        long timeLeft = tokenExpires ? secondsUntil(tokenExp, now) : ts + lifetime - now;
        if (tokenExpires || (expires && !cfg.insecure())) {
            if (timeLeft <= 0) {
                // v1 compat: the connection stays open but unauthenticated; the stale timer keeps running
                return new Reply(cmd.uid(), "connect", null, null,
                        Reply.connectBody(cfg.version(), "", true, true, lifetime));
            }
            expireAfter = saturatedAdd(timeLeft, cfg.expiredConnectionCloseDelay());
            if (tokenExpires) {
                // a JWT expires at its exp, whatever connection_lifetime says; ttl tells the client when to refresh
                expires = true;
                ttl = timeLeft;
            }
        }
        if (!session.authenticate(user, ts, info, expireAfter, tokenExp)) {
            throw ProtocolException.invalid();
        }
        if (!node.addClient(session, user.isEmpty() ? 0 : limit)) {
            // another connect of the same user passed the check above at the same time and was registered first
            throw new ProtocolException(ProtocolError.LIMIT_EXCEEDED);
        }
        return new Reply(cmd.uid(), "connect", null, null,
                Reply.connectBody(cfg.version(), session.clientId(), expires, false, ttl));
    }

    private Reply refresh(Command cmd) {
        Params.Connect p = Params.connect(cmd.params());
        NodeConfig cfg = node.config();
        if (Jwt.looksLikeJwt(p.token())) {
            return refreshJwt(cmd, p, cfg);
        }
        // v1 compat: refresh checks the token even in insecure mode, and does not compare the user
        if (!Hmac.checkClientToken(cfg.secret(), p.user(), p.timestamp(), p.info(), p.token())) {
            throw new ProtocolException(ProtocolError.INVALID_TOKEN);
        }
        long ts = parseTimestamp(p.timestamp());
        RawJson info = parseInfo(p.info());
        int lifetime = cfg.connectionLifetime();
        boolean expired = false;
        if (lifetime > 0) {
            long timeLeft = ts + lifetime - node.nowSeconds();
            if (timeLeft > 0) {
                session.refreshed(ts, info, timeLeft + cfg.expiredConnectionCloseDelay(), 0);
            } else {
                expired = true;
            }
        }
        return new Reply(cmd.uid(), "refresh", null, null,
                Reply.connectBody(cfg.version(), session.clientId(), lifetime > 0, expired, lifetime));
    }

    /**
     * Beyond v1: {@code refresh} with a JWT (checked even in insecure mode, like the v1 token). Unlike v1's hex
     * token, its {@code sub} must be the connection's user: a refresh cannot switch users. An {@code exp} sets the
     * new expiry; without one, {@code connection_lifetime} counts from now.
     */
    private Reply refreshJwt(Command cmd, Params.Connect p, NodeConfig cfg) {
        long now = node.nowSeconds();
        Jwt.Claims claims = verifyConnectionJwt(p.token(), cfg, now);
        if (!claims.sub().equals(session.user())) {
            log.debug("refresh JWT for user {} on a connection of user {}", claims.sub(), session.user());
            throw new ProtocolException(ProtocolError.INVALID_TOKEN);
        }
        int lifetime = cfg.connectionLifetime();
        int delay = cfg.expiredConnectionCloseDelay();
        if (claims.expires()) {
            long timeLeft = secondsUntil(claims.exp(), now);
            if (timeLeft <= 0) {
                return new Reply(cmd.uid(), "refresh", null, null,
                        Reply.connectBody(cfg.version(), session.clientId(), true, true, lifetime));
            }
            session.refreshed(now, claims.info(), saturatedAdd(timeLeft, delay), claims.exp());
            return new Reply(cmd.uid(), "refresh", null, null,
                    Reply.connectBody(cfg.version(), session.clientId(), true, false, timeLeft));
        }
        session.refreshed(now, claims.info(), lifetime > 0 ? lifetime + delay : 0, 0);
        return new Reply(cmd.uid(), "refresh", null, null,
                Reply.connectBody(cfg.version(), session.clientId(), lifetime > 0, false, lifetime));
    }

    /**
     * A verified connection JWT, or the fatal {@code invalid token}; the reason goes to the debug log only. A
     * channel token (or an ambiguous one) is refused here: it was signed to grant one channel to one connection,
     * not to authenticate anybody.
     */
    private static Jwt.Claims verifyConnectionJwt(String token, NodeConfig cfg, long now) {
        Jwt.Claims claims;
        try {
            claims = Jwt.verify(token, cfg.jwtKeys(), now);
        } catch (InvalidTokenException e) {
            log.debug("invalid connection JWT: {}", e.getMessage());
            throw new ProtocolException(ProtocolError.INVALID_TOKEN);
        }
        if (claims.kind() != Jwt.Kind.CONNECTION) {
            log.debug("a {} JWT used as a connection token", claims.kind());
            throw new ProtocolException(ProtocolError.INVALID_TOKEN);
        }
        return claims;
    }

    /** Seconds from {@code now} until {@code exp}, 0 when it is not after now; never overflows. */
    private static long secondsUntil(long exp, long now) {
        return exp <= now ? 0 : exp - now;
    }

    /** {@code a + b} for {@code b >= 0}, saturating at Long.MAX_VALUE (an {@code exp} far in the future). */
    private static long saturatedAdd(long a, long b) {
        return a > Long.MAX_VALUE - b ? Long.MAX_VALUE : a + b;
    }

    private static long parseTimestamp(String timestamp) {
        try {
            return Long.parseLong(timestamp);
        } catch (NumberFormatException e) {
            throw ProtocolException.invalid();
        }
    }

    /**
     * The raw {@code info}, or null when empty. Differs from v1 on purpose: info that is not valid JSON is rejected
     * at connect with {@code invalid message}, instead of producing invalid JSON in pushes and breaking presence
     * later (client-protocol.md §6.1 allows this).
     */
    private static RawJson parseInfo(String info) {
        if (info.isEmpty()) {
            return null;
        }
        RawJson raw = RawJson.of(info);
        if (!JsonCodec.isValid(raw.bytes())) {
            throw ProtocolException.invalid();
        }
        return raw;
    }

    // ---- subscribe (§5.3) -------------------------------------------------------------------------------------

    private CompletionStage<Reply> subscribe(Command cmd) {
        Params.Subscribe p = Params.subscribe(cmd.params());
        node.metrics().inc(Counter.CLIENT_NUM_SUBSCRIBE);
        String channel = p.channel();
        if (channel.isEmpty()) {
            throw ProtocolException.invalid();
        }
        NodeConfig cfg = node.config();
        ChannelNaming naming = cfg.naming();
        if (utf8Length(channel) > cfg.maxChannelLength()) {
            return subscribeError(cmd, channel, ProtocolError.LIMIT_EXCEEDED);
        }
        if (session.channelCount() >= cfg.clientChannelLimit()) {
            return subscribeError(cmd, channel, ProtocolError.LIMIT_EXCEEDED);
        }
        if (session.isSubscribed(channel)) {
            return subscribeError(cmd, channel, ProtocolError.ALREADY_SUBSCRIBED);
        }
        String user = session.user();
        if (!naming.userAllowed(channel, user) || !naming.clientAllowed(channel, session.clientId())) {
            return subscribeError(cmd, channel, ProtocolError.PERMISSION_DENIED);
        }
        ChannelOptions opts = cfg.channelOptions(channel);
        if (opts == null) {
            return subscribeError(cmd, channel, ProtocolError.NAMESPACE_NOT_FOUND);
        }
        if (!opts.anonymous() && user.isEmpty() && !cfg.insecure()) {
            return subscribeError(cmd, channel, ProtocolError.PERMISSION_DENIED);
        }
        RawJson channelInfo = null;
        if (naming.isPrivate(channel) && Jwt.looksLikeJwt(p.sign())) {
            Jwt.Claims claims = channelJwt(p, channel, cfg);
            if (claims == null) {
                return subscribeError(cmd, channel, ProtocolError.PERMISSION_DENIED);
            }
            channelInfo = claims.info();
        } else if (naming.isPrivate(channel)) {
            // v1 compat: insecure mode does not bypass private channel signs
            if (!p.client().equals(session.clientId())
                    || !Hmac.checkChannelSign(cfg.secret(), session.clientId(), channel, p.info(), p.sign())) {
                return subscribeError(cmd, channel, ProtocolError.PERMISSION_DENIED);
            }
            if (!p.info().isEmpty()) {
                channelInfo = RawJson.of(p.info());
            }
        }
        if (!session.addChannel(channel, channelInfo)) {
            return subscribeError(cmd, channel, ProtocolError.ALREADY_SUBSCRIBED);
        }
        ClientInfo info = session.info(channel);
        if (opts.recover() && p.recover()) {
            // v1 compat: v1 pushed a message published between registration and history read before the reply
            // and again in the recovered batch; live pushes now wait for the reply, minus what it recovered
            session.holdPushes(channel);
        }
        return node.addSubscription(channel, session)
                .thenCompose(v -> opts.presence() && session.isSubscribed(channel)
                        ? node.addPresence(session, channel, info)
                        : CompletableFuture.<Void>completedFuture(null))
                .exceptionally(e -> {
                    throw new CompletionException(new ProtocolException(ProtocolError.INTERNAL_SERVER_ERROR));
                })
                .thenCompose(v -> recovery(channel, opts, p))
                .thenApply(body -> {
                    join(channel, opts, info);
                    return new Reply(cmd.uid(), "subscribe", null, null, body);
                });
    }

    /**
     * §5.3 step 12, the join (not awaited). Beyond v1: a subscription that ended while subscribing (the session
     * closed, or an API unsubscribe) publishes no join, as its end published no leave; one that ends while its join
     * is published has its leave published here, after the join. Every subscriber gets both, or neither.
     */
    private void join(String channel, ChannelOptions opts, ClientInfo info) {
        ClientSession.Joining joining = session.startJoin(channel);
        if (joining == null) {
            return;
        }
        boolean leaveOwed;
        try {
            if (opts.joinLeave()) {
                node.publishJoin(channel, info);
            }
        } finally {
            leaveOwed = session.joined(channel, joining);
        }
        if (leaveOwed && opts.joinLeave()) {
            node.publishLeave(channel, info);
        }
    }

    /**
     * Beyond v1: a channel JWT in {@code sign}. It must be a channel token (no {@code sub}: a connection token is
     * refused), its {@code client} and {@code channel} claims must name this
     * connection and channel, it must not be expired, and a non-empty {@code client} param must match too; its
     * {@code info} claim becomes the channel info (the {@code info} param is not used). Null when refused.
     */
    private Jwt.Claims channelJwt(Params.Subscribe p, String channel, NodeConfig cfg) {
        Jwt.Claims claims;
        try {
            claims = Jwt.verify(p.sign(), cfg.jwtKeys(), node.nowSeconds());
        } catch (InvalidTokenException e) {
            log.debug("invalid channel JWT for {}: {}", channel, e.getMessage());
            return null;
        }
        String id = session.clientId();
        boolean ok = claims.kind() == Jwt.Kind.CHANNEL && claims.client().equals(id) && claims.channel().equals(channel)
                && (p.client().isEmpty() || p.client().equals(id)) && !claims.expiredAt(node.nowSeconds());
        return ok ? claims : null;
    }

    /** §5.3 step 11. Never fails: recovery problems degrade to "not recovered". */
    private CompletionStage<Reply.Body> recovery(String channel, ChannelOptions opts, Params.Subscribe p) {
        if (!opts.recover()) {
            return CompletableFuture.completedFuture(Reply.subscribeBody(channel, true, "", null, false));
        }
        if (p.recover()) {
            return node.historyForRecovery(channel).handle((history, e) -> {
                session.recoveredFrom(channel, e == null ? history.messages() : List.of());
                if (e != null) {
                    return Reply.subscribeBody(channel, true, "", List.of(), false);
                }
                return Recovery.body(channel, history, p.last());
            });
        }
        return node.lastMessageId(channel).handle((last, e) ->
                Reply.subscribeBody(channel, true, e == null && last != null ? last : "", null, false));
    }

    private static CompletionStage<Reply> subscribeError(Command cmd, String channel, ProtocolError error) {
        return CompletableFuture.completedFuture(new Reply(cmd.uid(), "subscribe", error.text(), Advice.FIX,
                Reply.subscribeBody(channel, false, "", null, false)));
    }

    // ---- unsubscribe (§5.4) -----------------------------------------------------------------------------------

    private CompletionStage<Reply> unsubscribe(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            throw ProtocolException.invalid();
        }
        if (node.config().channelOptions(channel) == null) {
            return CompletableFuture.completedFuture(new Reply(cmd.uid(), "unsubscribe",
                    ProtocolError.NAMESPACE_NOT_FOUND.text(), Advice.FIX, Reply.statusBody(channel, false)));
        }
        ClientSession.Unsubscribed ended = session.removeChannel(channel);
        if (ended == null) {
            return CompletableFuture.completedFuture(
                    new Reply(cmd.uid(), "unsubscribe", null, null, Reply.statusBody(channel, true)));
        }
        return node.unsubscribeSession(session, channel, ended).handle((v, e) -> e == null
                ? new Reply(cmd.uid(), "unsubscribe", null, null, Reply.statusBody(channel, true))
                : new Reply(cmd.uid(), "unsubscribe", ProtocolError.INTERNAL_SERVER_ERROR.text(), Advice.NONE,
                        Reply.statusBody(channel, false)));
    }

    // ---- publish (§5.5) ---------------------------------------------------------------------------------------

    private CompletionStage<Reply> publish(Command cmd) {
        Params.Publish p = Params.publish(cmd.params());
        String channel = p.channel();
        if (channel.isEmpty() || p.data() == null) {
            return publishError(cmd, channel, ProtocolError.INVALID_MESSAGE.text(), Advice.FIX);
        }
        if (!session.isSubscribed(channel)) {
            return publishError(cmd, channel, ProtocolError.PERMISSION_DENIED.text(), Advice.FIX);
        }
        NodeConfig cfg = node.config();
        ChannelOptions opts = cfg.channelOptions(channel);
        if (opts == null) {
            return publishError(cmd, channel, ProtocolError.INTERNAL_SERVER_ERROR.text(), Advice.RETRY);
        }
        if (!opts.publish() && !cfg.insecure()) {
            return publishError(cmd, channel, ProtocolError.PERMISSION_DENIED.text(), Advice.FIX);
        }
        node.metrics().inc(Counter.CLIENT_NUM_MSG_PUBLISHED);
        Message message = new Message(node.nextMessageUid(), channel, p.data(), session.clientId(),
                session.info(channel));
        return node.publish(message, opts).handle((v, e) -> e == null
                ? new Reply(cmd.uid(), "publish", null, null, Reply.statusBody(channel, true))
                : new Reply(cmd.uid(), "publish", Failures.text(e), Advice.RETRY, Reply.statusBody(channel, false)));
    }

    private static CompletionStage<Reply> publishError(Command cmd, String channel, String error, Advice advice) {
        return CompletableFuture.completedFuture(
                new Reply(cmd.uid(), "publish", error, advice, Reply.statusBody(channel, false)));
    }

    // ---- presence / history (§5.6, §5.7) ----------------------------------------------------------------------

    private CompletionStage<Reply> presence(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (!session.isSubscribed(channel)) {
            return CompletableFuture.completedFuture(new Reply(cmd.uid(), "presence",
                    ProtocolError.PERMISSION_DENIED.text(), Advice.FIX, Reply.presenceBody(channel, null)));
        }
        return node.presence(channel).handle((data, e) -> e == null
                ? new Reply(cmd.uid(), "presence", null, null, Reply.presenceBody(channel, data))
                : new Reply(cmd.uid(), "presence", Failures.text(e), Advice.RETRY, Reply.presenceBody(channel, null)));
    }

    private CompletionStage<Reply> history(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (!session.isSubscribed(channel)) {
            return CompletableFuture.completedFuture(new Reply(cmd.uid(), "history",
                    ProtocolError.PERMISSION_DENIED.text(), Advice.FIX, Reply.historyBody(channel, null)));
        }
        return node.history(channel).handle((data, e) -> e == null
                ? new Reply(cmd.uid(), "history", null, null, Reply.historyBody(channel, data))
                : new Reply(cmd.uid(), "history", Failures.text(e), Advice.RETRY, Reply.historyBody(channel, null)));
    }

    static int utf8Length(String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return s.getBytes(StandardCharsets.UTF_8).length;
            }
        }
        return n;
    }
}
