package dev.rotor.api;

import dev.rotor.channel.ChannelOptions;
import dev.rotor.metrics.Counter;
import dev.rotor.node.Node;
import dev.rotor.node.NodeInfo;
import dev.rotor.protocol.ApiReply;
import dev.rotor.protocol.Command;
import dev.rotor.protocol.JsonWriter;
import dev.rotor.protocol.Message;
import dev.rotor.protocol.Params;
import dev.rotor.protocol.ProtocolError;
import dev.rotor.protocol.ProtocolException;
import dev.rotor.protocol.Reply;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Executes server API commands against a {@link Node}, sequentially and in order, with v1's reply shapes and
 * per-command errors (http-api.md §4). Request-level failures complete the stage with {@link ApiRequestException}.
 * Thread-safe (stateless besides the node).
 */
public final class ApiExecutor {
    private static final String FIX = "fix";

    private final Node node;

    public ApiExecutor(Node node) {
        this.node = node;
    }

    /** Executes the commands one after another; the stage holds one reply per command. */
    public CompletionStage<List<ApiReply>> execute(List<Command> commands) {
        List<ApiReply> replies = new ArrayList<>(commands.size());
        CompletionStage<Void> chain = CompletableFuture.completedFuture(null);
        for (Command cmd : commands) {
            chain = chain.thenCompose(v -> executeOne(cmd).thenAccept(replies::add));
        }
        return chain.thenApply(v -> replies);
    }

    /** Executes one command. */
    public CompletionStage<ApiReply> executeOne(Command cmd) {
        try {
            return switch (cmd.method()) {
                case "publish" -> publish(cmd);
                case "broadcast" -> broadcast(cmd);
                case "unsubscribe" -> unsubscribe(cmd);
                case "disconnect" -> disconnect(cmd);
                case "presence" -> presence(cmd);
                case "history" -> history(cmd);
                case "channels" -> channels(cmd);
                case "stats" -> stats(cmd);
                case "node" -> nodeInfo(cmd);
                default -> throw new ApiRequestException(ProtocolError.METHOD_NOT_FOUND);
            };
        } catch (ProtocolException e) {
            // params that cannot be decoded fail the whole request (§3.3)
            return CompletableFuture.failedFuture(new ApiRequestException(e.error()));
        } catch (ApiRequestException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private CompletionStage<ApiReply> publish(Command cmd) {
        Params.ApiPublish p = Params.apiPublish(cmd.params());
        if (p.channel().isEmpty() || p.data() == null) {
            throw new ApiRequestException(ProtocolError.INVALID_MESSAGE);
        }
        ChannelOptions opts = node.config().channelOptions(p.channel());
        if (opts == null) {
            return reply(cmd, ProtocolError.NAMESPACE_NOT_FOUND.text(), FIX, null);
        }
        Message m = new Message(p.uid().isEmpty() ? node.nextMessageUid() : p.uid(), p.channel(), p.data(), p.client(), null);
        return node.publish(m, opts).handle((v, e) -> e == null
                ? ok(cmd, null)
                : new ApiReply(cmd.uid(), cmd.method(), Node.errorText(e), null, null));
    }

    /** http-api.md §4.2: validation errors stop the loop; engine errors do not. */
    private CompletionStage<ApiReply> broadcast(Command cmd) {
        Params.ApiBroadcast p = Params.apiBroadcast(cmd.params());
        if (p.channels().isEmpty() || p.data() == null) {
            return reply(cmd, ProtocolError.INVALID_MESSAGE.text(), FIX, null);
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
                return new ApiReply(cmd.uid(), cmd.method(), stopped, FIX, null);
            }
            for (CompletableFuture<Void> f : started) {
                if (f.isCompletedExceptionally()) {
                    return new ApiReply(cmd.uid(), cmd.method(), Node.errorText(failure(f)), null, null);
                }
            }
            return ok(cmd, null);
        });
    }

    private CompletionStage<ApiReply> unsubscribe(Command cmd) {
        Params.ApiUnsubscribe p = Params.apiUnsubscribe(cmd.params());
        if (p.user().isEmpty()) {
            return reply(cmd, ProtocolError.INVALID_MESSAGE.text(), null, null);
        }
        if (!p.channel().isEmpty() && node.config().channelOptions(p.channel()) == null) {
            return reply(cmd, ProtocolError.NAMESPACE_NOT_FOUND.text(), null, null);
        }
        return node.unsubscribeUser(p.user(), p.channel()).handle((v, e) -> e == null
                ? ok(cmd, null)
                : new ApiReply(cmd.uid(), cmd.method(), ProtocolError.INTERNAL_SERVER_ERROR.text(), null, null));
    }

    private CompletionStage<ApiReply> disconnect(Command cmd) {
        Params.ApiDisconnect p = Params.apiDisconnect(cmd.params());
        if (p.user().isEmpty()) {
            return reply(cmd, ProtocolError.INVALID_MESSAGE.text(), null, null);
        }
        return node.disconnectUser(p.user()).handle((v, e) -> e == null
                ? ok(cmd, null)
                : new ApiReply(cmd.uid(), cmd.method(), ProtocolError.INTERNAL_SERVER_ERROR.text(), null, null));
    }

    private CompletionStage<ApiReply> presence(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            return reply(cmd, ProtocolError.INVALID_MESSAGE.text(), null, Reply.presenceBody(channel, null));
        }
        return node.presence(channel).handle((data, e) -> e == null
                ? ok(cmd, Reply.presenceBody(channel, data))
                : new ApiReply(cmd.uid(), cmd.method(), Node.errorText(e), null, Reply.presenceBody(channel, null)));
    }

    private CompletionStage<ApiReply> history(Command cmd) {
        String channel = Params.channelOnly(cmd.params()).channel();
        if (channel.isEmpty()) {
            return reply(cmd, ProtocolError.INVALID_MESSAGE.text(), null, Reply.historyBody(channel, null));
        }
        return node.history(channel).handle((data, e) -> e == null
                ? ok(cmd, Reply.historyBody(channel, data))
                : new ApiReply(cmd.uid(), cmd.method(), Node.errorText(e), null, Reply.historyBody(channel, null)));
    }

    private CompletionStage<ApiReply> channels(Command cmd) {
        return node.channels().handle((list, e) -> e == null
                ? ok(cmd, w -> w.raw('{').key("data").array(list, JsonWriter::string).raw('}'))
                : new ApiReply(cmd.uid(), cmd.method(), ProtocolError.INTERNAL_SERVER_ERROR.text(), null,
                        w -> w.raw("{\"data\":null}")));
    }

    private CompletionStage<ApiReply> stats(Command cmd) {
        List<NodeInfo> nodes = node.nodes();
        int interval = node.config().nodeMetricsInterval();
        return CompletableFuture.completedFuture(ok(cmd, w -> {
            w.raw("{\"data\":{\"nodes\":").array(nodes, (out, n) -> n.write(out))
                    .raw(",\"metrics_interval\":").number(interval).raw("}}");
        }));
    }

    private CompletionStage<ApiReply> nodeInfo(Command cmd) {
        NodeInfo info = node.info();
        return CompletableFuture.completedFuture(ok(cmd, w -> {
            w.raw("{\"data\":");
            info.write(w);
            w.raw('}');
        }));
    }

    private static ApiReply ok(Command cmd, Reply.Body body) {
        return new ApiReply(cmd.uid(), cmd.method(), null, null, body);
    }

    private static CompletionStage<ApiReply> reply(Command cmd, String error, String advice, Reply.Body body) {
        return CompletableFuture.completedFuture(new ApiReply(cmd.uid(), cmd.method(), error, advice, body));
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
