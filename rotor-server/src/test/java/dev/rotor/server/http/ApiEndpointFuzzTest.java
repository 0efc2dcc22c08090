package dev.rotor.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.rotor.api.ApiExecutor;
import dev.rotor.auth.Hmac;
import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.protocol.JsonCodec;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Fuzzes the HTTP API body ({@link ApiEndpoint}) on a real node with the memory engine: a signed v1 JSON body, a v1
 * form body (with {@code insecure_api}, so that whatever {@code data} the form holds is executed) and a v2 dialect
 * body with an {@code Authorization} header that is either the right key or fuzzed. Every request gets exactly one
 * answer, 200 with a JSON body or v1's 400/401, and no exception escapes to the channel. Regression inputs live in
 * {@code ApiEndpointFuzzTestInputs/request/}; fuzzing runs through {@code bin/fuzz} (docs/security.md, "Fuzzing").
 */
class ApiEndpointFuzzTest {
    private static final String SECRET = "secret";
    private static final String KEY = "key";

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Node secure = node(NodeConfig.builder().secret(SECRET).apiKey(KEY).build());
    private final Node insecure = node(NodeConfig.builder().insecureApi(true).build());

    private Node node(NodeConfig config) {
        return new Node(config, new MemoryEngine(), new Metrics(), scheduler, Clock.systemUTC());
    }

    @BeforeEach
    void start() throws Exception {
        secure.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
        insecure.start().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws InterruptedException {
        secure.shutdown();
        insecure.shutdown();
        scheduler.shutdownNow();
        assertThat(scheduler.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }

    private enum Kind { V1_JSON, V1_FORM, V2 }

    /**
     * The input's first byte picks the kind ({@code '0'} v1 JSON, {@code '1'} v1 form, {@code '2'} v2, modulo 3).
     * For a form, the text up to the first newline is the query string; for v2 it is the {@code Authorization}
     * header, the right one when empty. The rest is the body.
     */
    @FuzzTest
    void request(byte[] input) throws Exception {
        if (input.length == 0) {
            return;
        }
        Kind kind = Kind.values()[Math.floorMod(input[0], 3)];
        int newline = indexOf(input, (byte) '\n', 1);
        String line = new String(input, 1, Math.max(0, newline - 1), StandardCharsets.ISO_8859_1);
        byte[] rest = Arrays.copyOfRange(input, kind == Kind.V1_JSON ? 1 : Math.min(input.length, newline + 1),
                input.length);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/api/");
        request.content().writeBytes(rest);
        Node node = secure;
        switch (kind) {
            case V1_JSON -> {
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
                request.headers().set("X-API-Sign", Hmac.apiSign(SECRET, rest));
            }
            case V1_FORM -> {
                node = insecure;
                request.setUri("/api/?" + requestLineText(line));
                request.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
            }
            case V2 -> request.headers().set(HttpHeaderNames.AUTHORIZATION,
                    line.isEmpty() ? "apikey " + KEY : headerText(line));
        }
        FullHttpResponse response = serve(new ApiEndpoint(node, new ApiExecutor(node)), request);
        try {
            int status = response.status().code();
            assertThat(status).isIn(200, 400, 401);
            if (status == 200) {
                byte[] body = ByteBufUtil.getBytes(response.content());
                assertThat(JsonCodec.isValid(body)).as("a JSON body").isTrue();
                assertThat(body[0]).isEqualTo(ApiEndpoint.isV2(request) ? (byte) '{' : (byte) '[');
            }
        } finally {
            response.release();
        }
    }

    private static int indexOf(byte[] input, byte b, int from) {
        for (int i = from; i < input.length; i++) {
            if (input[i] == b) {
                return i;
            }
        }
        return input.length;
    }

    /** What Netty's request decoder can hand over in a request target: no spaces or control characters. */
    private static String requestLineText(String s) {
        return s.replaceAll("[\\x00-\\x20\\x7f]", "");
    }

    /** What it can hand over in a header value: printable ASCII and tabs (obs-text aside). */
    private static String headerText(String s) {
        return s.replaceAll("[^\\x20-\\x7e\\t]", "").strip(); // the decoder trims values
    }

    /** Hands the request to the handler as the router does (the dialect by its headers, 400 for a bad form); returns its only answer. */
    private static FullHttpResponse serve(ApiEndpoint handler, FullHttpRequest request) {
        EmbeddedChannel ch = new EmbeddedChannel(new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest msg) {
                try {
                    if (ApiEndpoint.isV2(msg)) {
                        handler.handleV2(ctx, msg);
                    } else {
                        handler.handle(ctx, msg);
                    }
                } catch (Forms.MalformedFormException e) {
                    // the router answers a form with a bad percent-escape with 400
                    HttpResponses.error(ctx, msg, HttpResponseStatus.BAD_REQUEST);
                }
            }
        });
        ch.writeInbound(request);
        ch.checkException();
        // the memory engine completes on the publishing thread; a bounded wait covers any hand-off
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        FullHttpResponse response;
        while ((response = ch.readOutbound()) == null && System.nanoTime() < deadline) {
            ch.runPendingTasks();
            Thread.onSpinWait();
        }
        assertThat(response).as("an answer").isNotNull();
        Object extra = ch.readOutbound();
        assertThat(extra).as("a single answer").isNull();
        ch.checkException();
        assertFalse(ch.finish());
        return response;
    }
}
