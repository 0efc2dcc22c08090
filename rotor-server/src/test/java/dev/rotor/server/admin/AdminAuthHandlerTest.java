package dev.rotor.server.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rotor.engine.memory.MemoryEngine;
import dev.rotor.metrics.Metrics;
import dev.rotor.node.Node;
import dev.rotor.node.NodeConfig;
import dev.rotor.server.transport.LoopTimers;
import dev.rotor.timer.ManualClock;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code /auth/} on an {@link EmbeddedChannel} with frozen time: a wrong password's answer waits on the loop's timer. */
class AdminAuthHandlerTest {
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryEngine engine = new MemoryEngine();
    private final Node node = new Node(NodeConfig.builder().adminPassword("pass").adminSecret("s").build(), engine,
            new Metrics(), scheduler, Clock.systemUTC());
    /** The throttle's own clock; the answer's delay runs on the channel's frozen loop clock. */
    private final ManualClock throttleClock = new ManualClock();

    @AfterEach
    void tearDown() {
        engine.close();
        scheduler.shutdownNow();
    }

    private EmbeddedChannel channel(LoginThrottle throttle) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        AdminAuthHandler auth = new AdminAuthHandler(node, throttle, new LoopTimers(ch.eventLoop()));
        ch.pipeline().addLast(new SimpleChannelInboundHandler<FullHttpRequest>() {
            @Override
            protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
                auth.handle(ctx, request);
            }
        });
        return ch;
    }

    private static FullHttpRequest login(String password) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/auth/?password=" + password);
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
    }

    private static String take(EmbeddedChannel ch, int status) {
        FullHttpResponse r = ch.readOutbound();
        assertThat(r).isNotNull();
        try {
            assertThat(r.status().code()).isEqualTo(status);
            return r.content().toString(StandardCharsets.UTF_8);
        } finally {
            r.release();
        }
    }

    @Test
    void aWrongPasswordIsAnsweredAfterTheDelayWithReadingPausedMeanwhile() {
        LoginThrottle throttle = new LoginThrottle(LoginThrottleConfig.builder().firstDelayMillis(1000).build(),
                throttleClock);
        EmbeddedChannel ch = channel(throttle);

        ch.writeInbound(login("wrong"));
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.config().isAutoRead()).isFalse();
        assertThat(throttle.pending()).isEqualTo(1);
        advance(ch, 900);
        assertThat((Object) ch.readOutbound()).isNull();

        advance(ch, 200); // past the delay and the next wheel tick
        assertThat(take(ch, 400)).isEqualTo("Bad Request\n");
        assertThat(ch.config().isAutoRead()).isTrue();
        assertThat(throttle.pending()).isZero();

        ch.writeInbound(login("pass"));
        assertThat(take(ch, 200)).startsWith("{\"token\":\"");
        assertThat(throttle.pending()).isZero();
        assertFalse(ch.finish());
    }

    @Test
    void anAttemptTheThrottleRefusesGets429WithoutACheck() {
        LoginThrottle throttle = new LoginThrottle(LoginThrottleConfig.builder().failuresPerSecond(1).build(),
                throttleClock);
        EmbeddedChannel ch = channel(throttle);
        ch.writeInbound(login("wrong"));
        advance(ch, 1100);
        assertThat(take(ch, 400)).isEqualTo("Bad Request\n");

        ch.writeInbound(login("pass")); // the right password, but the global budget is spent
        assertThat(take(ch, 429)).isEqualTo("Too Many Requests\n");
        assertThat(throttle.pending()).isZero();
        assertFalse(ch.finish());
    }
}
