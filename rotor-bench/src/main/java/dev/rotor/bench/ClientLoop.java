package dev.rotor.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * The generator's few Netty event-loop threads (epoll when available) and a bootstrap template for loopback
 * client sockets. One per run; close it at the end. Thread-safe.
 */
final class ClientLoop implements AutoCloseable {
    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;

    ClientLoop(int threads) {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(threads, io);
        this.channelClass = epoll ? EpollSocketChannel.class : NioSocketChannel.class;
    }

    Bootstrap bootstrap() {
        return bootstrap(group);
    }

    /** A bootstrap whose channels all live on {@code loops} (e.g. one event loop, to share it with a task). */
    Bootstrap bootstrap(EventLoopGroup loops) {
        return new Bootstrap().group(loops).channel(channelClass)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
    }

    EventLoopGroup group() {
        return group;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
    }
}
