package dev.rotor.api;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.node.Node;
import dev.rotor.node.NodeInfo;
import dev.rotor.protocol.Advice;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.Failures;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Method;
import dev.rotor.protocol.Params;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.Reply;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Executes server API commands against a {@link Node}, in order (a run of publishes is started together, see
 * {@link #execute}), with v1's reply shapes and per-command errors (http-api.md §4). Request-level failures complete
 * the stage with {@link ApiRequestException}. Thread-safe (stateless besides the node).
 */
public final class ApiExecutor {

    private final Node node;

    public ApiExecutor(Node node) {
        this.node = node;
    }

    /**
     * Executes v1 commands in order; the stage holds one reply per command. A run of consecutive {@code publish} and
     * {@code broadcast} commands is started together, in one engine batch ({@link Node#batched}: the Redis engine
     * writes the run to each shard at once) and awaited together; any other command starts only after everything
     * before it completed.
     */
    // v1 compat: v1 ran the commands strictly one after another (http-api.md §3.3), waiting for each publish.
    // Starting a run together keeps what a caller can see: one reply per command in request order, the engine
    // receives the publications in request order (so each channel keeps its order), a failed publish does not stop
    // the ones after it, and a request-level error stops the request at the failing command, after the commands
    // before it completed. Only publications on different Redis shards may now reach Redis out of request order.
    public CompletionStage<List<ApiReply>> execute(List<Command> commands) {
        ApiReply[] replies = new ApiReply[commands.size()];
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        int i = 0;
        while (i < commands.size()) {
            int from = i;
            while (i < commands.size() && startsTogether(commands.get(i))) {
                i++;
            }
            if (i == from) {
                Command cmd = commands.get(from);
                chain = chain.thenCompose(v -> executeOne(cmd).thenAccept(r -> replies[from] = r));
                i++;
            } else {
                int to = i;
                chain = chain.thenCompose(v -> executeRun(commands, from, to, replies));
            }
        }
        return chain.thenApply(v -> Arrays.asList(replies));
    }

    private static boolean startsTogether(Command cmd) {
        Method method = cmd.method() == null ? null : Method.find(cmd.method(), Method.Surface.API_V1);
        return method == Method.PUBLISH || method == Method.BROADCAST;
    }

    /**
     * Starts commands {@code from} (inclusive) to {@code to} in one engine batch, stopping after a request-level
     * failure (which is always immediate: params are checked before anything is sent); completes when every started
     * command completed, exceptionally with the request-level failure if there was one.
     */
    private CompletionStage<Void> executeRun(List<Command> commands, int from, int to, ApiReply[] replies) {
        List<CompletableFuture<ApiReply>> started = new ArrayList<>(to - from);
        node.batched(() -> {
            for (int i = from; i < to; i++) {
                CompletableFuture<ApiReply> one = executeOne(commands.get(i)).toCompletableFuture();
                started.add(one);
                if (one.isCompletedExceptionally()) {
                    break;
                }
            }
            return null;
        });
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).handle((v, e) -> {
            for (int k = 0; k < started.size(); k++) {
                CompletableFuture<ApiReply> one = started.get(k);
                if (one.isCompletedExceptionally()) {
                    throw new CompletionException(failure(one));
                }
                replies[from + k] = one.join();
            }
            return null;
        });
    }

    /** Executes one command of the v1 dialect. */
    public CompletionStage<ApiReply> executeOne(Command cmd) {
        return outcome(cmd, Dialect.V1)
                .thenApply(o -> new ApiReply(cmd.uid(), cmd.method(), o.error(), o.advice(), o.body()));
    }

    /**
     * Executes one command for either dialect. Both share every command; {@code stats} and {@code node} exist only
     * in v1 and {@code presence_stats} and {@code info} only in v2 (rubycent-wire.md); elsewhere they are
     * {@code method not found}.
     */
    public CompletionStage<ApiOutcome> outcome(Command cmd, Dialect dialect) {
        try {
            Method method = Method.find(cmd.method(), dialect.surface);
            if (method == null) {
                throw new ApiRequestException(ProtocolError.METHOD_NOT_FOUND);
            }
            return switch (method) {
                case PUBLISH -> publish(cmd);
                case BROADCAST -> broadcast(cmd);
                case UNSUBSCRIBE -> unsubscribe(cmd);
                case DISCONNECT -> disconnect(cmd);
                case PRESENCE -> presence(cmd);
                case HISTORY -> history(cmd);
                case CHANNELS -> channels();
                case STATS -> stats();
                case NODE -> nodeInfo();
                case PRESENCE_STATS -> presenceStats(cmd);
                case INFO -> V2Results.info(node);
                default -> throw new IllegalStateException("not an API method: " + method);
            };
        } catch (ProtocolException e) {
            if (e.isIllFormedText()) {
                return illFormedText(cmd);
            }
            // params that cannot be decoded fail the whole request (§3.3)
            return CompletableFuture.failedFuture(new ApiRequestException(e.error()));
        } catch (ApiRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Beyond v1: a string param that is not well-formed UTF-16 (docs/security.md, "Unicode") is {@code invalid
     * message} for this command only, with the body the command has for an empty channel; the other commands of
     * the request still run. v1's decoder replaced lone surrogates with U+FFFD and ran the command on the altered
     * name instead.
     */
    private static CompletionStage<ApiOutcome> illFormedText(Command cmd) {
        Method method = Method.find(cmd.method(), Method.Surface.API_V1);
        Reply.Body body = method == Method.PRESENCE ? Reply.presenceBody("", null)
                : method == Method.HISTORY ? Reply.historyBody("", null)
                : null;
        return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.FIX, body);
    }

    /** The two HTTP API dialects: v1's signed arrays and, beyond v1, Centrifugo v2's {@code apikey} objects. */
    public enum Dialect {
        V1(Method.Surface.API_V1),
        V2(Method.Surface.API_V2);

        private final Method.Surface surface;

        Dialect(Method.Surface surface) {
            this.surface = surface;
        }
    }

    private CompletionStage<ApiOutcome> publish(Command cmd) {
        Params.ApiPublish p = Params.apiPublish(cmd.params());
        if (p.channel().isEmpty() || p.data() == null) {
            throw new ApiRequestException(ProtocolError.INVALID_MESSAGE);
        }
        ChannelOptions opts = node.config().channelOptions(p.channel());
        if (opts == null) {
            return failed(ProtocolError.NAMESPACE_NOT_FOUND.text(), Advice.FIX, null);
        }
        Message m = new Message(p.uid().isEmpty() ? node.nextMessageUid() : p.uid(), p.channel(), p.data(), p.client(), null);
        return node.publish(m, opts).handle((v, e) -> e == null
                ? ApiOutcome.ok(null, null)
                : ApiOutcome.failed(Failures.text(e), Advice.NONE, null));
    }

    /** http-api.md §4.2: validation errors stop the loop; engine errors do not. */
    private CompletionStage<ApiOutcome> broadcast(Command cmd) {
        Params.ApiBroadcast p = Params.apiBroadcast(cmd.params());
        if (p.channels().isEmpty() || p.data() == null) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.FIX, null);
        }
        List<CompletableFuture<Void>> started = new ArrayList<>(p.channels().size());
        String validationError = null;
        for (String channel : p.channels()) {
            if (channel.isEmpty()) {
                validationError = ProtocolError.INVALID_MESSAGE.text();
                break;
            }
            ChannelOptions opts = node.config().channelOptions(channel);
            if (opts == null) {
                validationError = ProtocolError.NAMESPACE_NOT_FOUND.text();
                break;
            }
            Message m = new Message(node.nextMessageUid(), channel, p.data(), p.client(), null);
            started.add(node.publish(m, opts).toCompletableFuture());
        }
        String stopped = validationError;
        return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).handle((v, ignored) -> {
            if (stopped != null) {
                return ApiOutcome.failed(stopped, Advice.FIX, null);
            }
            for (CompletableFuture<Void> f : started) {
                if (f.isCompletedExceptionally()) {
                    return ApiOutcome.failed(Failures.text(failure(f)), Advice.NONE, null);
                }
            }
            return ApiOutcome.ok(null, null);
        });
    }

    private CompletionStage<ApiOutcome> unsubscribe(Command cmd) {
        Params.ApiUnsubscribe p = Params.apiUnsubscribe(cmd.params());
        if (p.user().isEmpty()) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.NONE, null);
        }
        if (!p.channel().isEmpty() && node.config().channelOptions(p.channel()) == null) {
            return failed(ProtocolError.NAMESPACE_NOT_FOUND.text(), Advice.NONE, null);
        }
        return node.unsubscribeUser(p.user(), p.channel()).handle((v, e) -> e == null
                ? ApiOutcome.ok(null, null)
                : ApiOutcome.failed(ProtocolError.INTERNAL_SERVER_ERROR.text(), Advice.NONE, null));
    }

    private CompletionStage<ApiOutcome> disconnect(Command cmd) {
        Params.ApiDisconnect p = Params.apiDisconnect(cmd.params());
        if (p.user().isEmpty()) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.NONE, null);
        }
        return node.disconnectUser(p.user()).handle((v, e) -> e == null
                ? ApiOutcome.ok(null, null)
                : ApiOutcome.failed(ProtocolError.INTERNAL_SERVER_ERROR.text(), Advice.NONE, null));
    }

    private CompletionStage<ApiOutcome> presence(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.NONE, Reply.presenceBody(channel, null));
        }
        return node.presence(channel).handle((data, e) -> e == null
                ? ApiOutcome.ok(Reply.presenceBody(channel, data), V2Results.presence(data))
                : ApiOutcome.failed(Failures.text(e), Advice.NONE, Reply.presenceBody(channel, null)));
    }

    /** v2 only: the numbers of clients and of distinct users in a channel's presence; errors as presence. */
    private CompletionStage<ApiOutcome> presenceStats(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.NONE, null);
        }
        return node.presence(channel).handle((data, e) -> e == null
                ? ApiOutcome.ok(null, V2Results.presenceStats(data))
                : ApiOutcome.failed(Failures.text(e), Advice.NONE, null));
    }

    private CompletionStage<ApiOutcome> history(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            return failed(ProtocolError.INVALID_MESSAGE.text(), Advice.NONE, Reply.historyBody(channel, null));
        }
        return node.history(channel).handle((data, e) -> e == null
                ? ApiOutcome.ok(Reply.historyBody(channel, data), V2Results.history(data))
                : ApiOutcome.failed(Failures.text(e), Advice.NONE, Reply.historyBody(channel, null)));
    }

    private CompletionStage<ApiOutcome> channels() {
        return node.channels().handle((list, e) -> e == null
                ? ApiOutcome.ok(w -> w.raw('{').key("data").array(list, JsonWriter::string).raw('}'),
                        w -> w.raw('{').key("channels").array(list, JsonWriter::string).raw('}'))
                : ApiOutcome.failed(ProtocolError.INTERNAL_SERVER_ERROR.text(), Advice.NONE,
                        w -> w.raw("{\"data\":null}")));
    }

    private CompletionStage<ApiOutcome> stats() {
        List<NodeInfo> nodes = node.nodes();
        int interval = node.config().nodeMetricsInterval();
        return CompletableFuture.completedFuture(ApiOutcome.ok(w -> {
            w.raw("{\"data\":{\"nodes\":").array(nodes, (out, n) -> n.write(out))
                    .raw(",\"metrics_interval\":").number(interval).raw("}}");
        }, null));
    }

    private CompletionStage<ApiOutcome> nodeInfo() {
        NodeInfo info = node.info();
        return CompletableFuture.completedFuture(ApiOutcome.ok(w -> {
            w.raw("{\"data\":");
            info.write(w);
            w.raw('}');
        }, null));
    }

    private static CompletionStage<ApiOutcome> failed(String error, Advice advice, Reply.Body body) {
        return CompletableFuture.completedFuture(ApiOutcome.failed(error, advice, body));
    }

    private static Throwable failure(CompletableFuture<?> f) {
        try {
            f.join();
            return new IllegalStateException("not failed");
        } catch (CompletionException e) {
            return e.getCause() == null ? e : e.getCause();
        }
    }

    /** Counts one API request; used by the transports that serve the executor. */
    public void countRequest() {
        node.metrics().inc(Counter.HTTP_API_NUM_REQUESTS);
    }

    /** Renders replies for tests and transports: always a JSON array. */
    public static byte[] encode(List<ApiReply> replies) {
        return ApiReply.encode(replies);
    }
}
