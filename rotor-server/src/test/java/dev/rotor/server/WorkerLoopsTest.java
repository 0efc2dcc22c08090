package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker loop reads a socket that has data while a long queue of tasks waits (with Netty's default it would first
 * run the whole queue). The tasks count themselves, so the assertions are about order, not time.
 */
class WorkerLoopsTest {
    /** 2,000 tasks of 50 µs: 100 ms of queued work, many quanta of WorkerLoops, a tenth of Netty's default. */
    private static final int TASKS = 2_000;
    private static final long TASK_NANOS = 50_000;

    @Test
    void aLoopReadsItsSocketsBetweenQueuedTasks() throws Exception {
        MultiThreadIoEventLoopGroup group = WorkerLoops.create(1, NioIoHandler.newFactory());
        try {
            assertThat(tasksRunBeforeTheRead(group)).isLessThan(TASKS / 4);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void nettysDefaultLoopRunsTheWholeQueueFirst() throws Exception {
        // the reason for WorkerLoops: should Netty's default change, this fails and the class may go
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThat(tasksRunBeforeTheRead(group)).isEqualTo(TASKS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Accepts one connection on the group's only loop, then queues {@link #TASKS} busy tasks there; the first one
     * waits until all are queued and sends a byte to the accepted socket. Returns how many tasks had run when the
     * loop read that byte.
     */
    private static int tasksRunBeforeTheRead(MultiThreadIoEventLoopGroup group) throws Exception {
        AtomicInteger ran = new AtomicInteger();
        CompletableFuture<Integer> readAt = new CompletableFuture<>();
        CompletableFuture<Void> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(null);
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ReferenceCountUtil.release(msg);
                        readAt.complete(ran.get());
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(),
                ((InetSocketAddress) server.localAddress()).getPort())) {
            accepted.get(10, TimeUnit.SECONDS);
            OutputStream out = client.getOutputStream();
            EventLoop loop = group.next();
            CountDownLatch queued = new CountDownLatch(1);
            // the first task holds the loop until every task is queued, so the queue cannot run dry early
            loop.execute(() -> {
                try {
                    queued.await(30, TimeUnit.SECONDS);
                    out.write(1);
                    out.flush();
                } catch (IOException | InterruptedException e) {
                    readAt.completeExceptionally(e);
                }
                busy(ran);
            });
            for (int i = 1; i < TASKS; i++) {
                loop.execute(() -> busy(ran));
            }
            queued.countDown();
            return readAt.get(30, TimeUnit.SECONDS);
        } finally {
            server.close().sync();
        }
    }

    private static void busy(AtomicInteger ran) {
        long end = System.nanoTime() + TASK_NANOS;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        ran.incrementAndGet();
    }
}
