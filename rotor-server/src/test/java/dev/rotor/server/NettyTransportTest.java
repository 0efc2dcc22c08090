package dev.rotor.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.junit.jupiter.api.Test;

/** {@code netty_transport} values, the choice of {@code auto}, and the message for a transport that cannot run. */
class NettyTransportTest {

    @Test
    void valuesAreReadCaseInsensitively() {
        assertThat(NettyTransport.of("io_uring")).hasValue(NettyTransport.IO_URING);
        assertThat(NettyTransport.of(" Epoll ")).hasValue(NettyTransport.EPOLL);
        assertThat(NettyTransport.of("AUTO")).hasValue(NettyTransport.AUTO);
        assertThat(NettyTransport.of("nio")).hasValue(NettyTransport.NIO);
        assertThat(NettyTransport.of("uring")).isEmpty();
        assertThat(NettyTransport.of("")).isEmpty();
        assertThat(NettyTransport.keys()).isEqualTo("auto, epoll, io_uring, nio");
    }

    /** The Linux build ships both native libraries: neither may be missing (no silent fall-back to nio). */
    @Test
    void bothNativeTransportsRunHereAndAutoTakesEpoll() {
        assertThat(NettyTransport.EPOLL.unavailabilityCause()).as("why epoll cannot run").isNull();
        assertThat(NettyTransport.IO_URING.unavailabilityCause()).as("why io_uring cannot run").isNull();
        assertThat(NettyTransport.AUTO.resolve()).isEqualTo(NettyTransport.EPOLL);
        assertThat(NettyTransport.IO_URING.resolve()).isEqualTo(NettyTransport.IO_URING);
        assertThat(NettyTransport.NIO.resolve()).isEqualTo(NettyTransport.NIO);
        assertThat(NettyTransport.IO_URING.serverChannelClass()).isEqualTo(IoUringServerSocketChannel.class);
        assertThat(NettyTransport.EPOLL.serverChannelClass()).isEqualTo(EpollServerSocketChannel.class);
        assertThat(NettyTransport.NIO.serverChannelClass()).isEqualTo(NioServerSocketChannel.class);
        assertThat(NettyTransport.AUTO.unavailabilityCause()).isNull();
        assertThatThrownBy(NettyTransport.AUTO::serverChannelClass).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void anUnavailableTransportIsNamedWithNettysReason() {
        Throwable cause = new UncheckedIOException(new IOException("io_uring_setup: Operation not permitted"));
        assertThat(NettyTransport.unavailableMessage(NettyTransport.IO_URING, cause)).isEqualTo(
                "netty_transport: io_uring is not available on this machine: java.io.IOException: io_uring_setup: "
                        + "Operation not permitted; choose another of auto, epoll, nio");
    }
}
