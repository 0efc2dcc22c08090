package dev.rotor.server;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The Netty transport the server's event loops and sockets run on, chosen by {@code netty_transport} (beyond v1,
 * docs/configuration.md): {@code epoll} and {@code io_uring} are Linux's native transports (their libraries ship in
 * {@code rotor.jar} for x86_64 and aarch64), {@code nio} is the JDK's portable one, and {@code auto} takes epoll
 * when it is available, else nio. Every handler is written against the generic {@code EventLoop}, so nothing but
 * the event-loop group and the server channel class depends on the choice. Immutable.
 */
public enum NettyTransport {
    AUTO,
    EPOLL,
    IO_URING,
    NIO;

    /** The value as written in the configuration, e.g. {@code io_uring}: the name in lower case. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The transport named {@code key} (case-insensitive, surrounding blanks ignored), if there is one. */
    public static Optional<NettyTransport> of(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        return Arrays.stream(values()).filter(t -> t.key().equals(k)).findFirst();
    }

    /** Every accepted value, for error messages: {@code auto, epoll, io_uring, nio}. */
    public static String keys() {
        return Arrays.stream(values()).map(NettyTransport::key).collect(Collectors.joining(", "));
    }

    /** Why this transport cannot run in this JVM on this machine, or null when it can ({@code auto} always can). */
    public Throwable unavailabilityCause() {
        return switch (this) {
            case AUTO, NIO -> null;
            case EPOLL -> Epoll.unavailabilityCause();
            case IO_URING -> IoUring.unavailabilityCause();
        };
    }

    /**
     * The concrete transport to run: this one, or for {@code auto} epoll when available, else nio.
     *
     * @throws IllegalStateException when this transport was asked for explicitly but cannot run here; the message
     *                               names it and Netty's reason (its {@code unavailabilityCause()})
     */
    public NettyTransport resolve() {
        if (this == AUTO) {
            return Epoll.isAvailable() ? EPOLL : NIO;
        }
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException(unavailableMessage(this, cause), cause);
        }
        return this;
    }

    /** {@code netty_transport: io_uring is not available on this machine: <reason>; choose another of auto, epoll, nio}. */
    static String unavailableMessage(NettyTransport transport, Throwable cause) {
        String others = Arrays.stream(values()).filter(t -> t != transport).map(NettyTransport::key)
                .collect(Collectors.joining(", "));
        String reason = cause.getMessage() != null ? cause.getMessage() : cause.toString();
        return "netty_transport: " + transport.key() + " is not available on this machine: " + reason
                + "; choose another of " + others;
    }

    /** The factory of this transport's event-loop I/O handlers; only for a {@link #resolve() resolved} one. */
    IoHandlerFactory ioHandlerFactory() {
        return switch (this) {
            case EPOLL -> EpollIoHandler.newFactory();
            case IO_URING -> IoUringIoHandler.newFactory();
            case NIO -> NioIoHandler.newFactory();
            case AUTO -> throw new IllegalStateException("resolve() auto first");
        };
    }

    /** The listening socket channel class of this transport; only for a {@link #resolve() resolved} one. */
    Class<? extends ServerChannel> serverChannelClass() {
        return switch (this) {
            case EPOLL -> EpollServerSocketChannel.class;
            case IO_URING -> IoUringServerSocketChannel.class;
            case NIO -> NioServerSocketChannel.class;
            case AUTO -> throw new IllegalStateException("resolve() auto first");
        };
    }
}
