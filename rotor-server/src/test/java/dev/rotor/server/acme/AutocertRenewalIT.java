package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.rotor.config.AutocertSettings;
import dev.rotor.server.Pebble;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Background renewal against Debian's {@code pebble}: once the clock passes the renewal point, the periodic check
 * orders a new certificate (real tls-alpn-01 on a TLS port served by {@link AutocertSniHandler}), stores it in the
 * cache and serves it.
 */
class AutocertRenewalIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void dueCertificateIsRenewedInTheBackgroundStoredAndServed() throws Exception {
        int tlsPort = Pebble.freePort();
        MovableClock clock = new MovableClock();
        Path cacheDir = dir.resolve("cache");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try (Pebble pebble = Pebble.start(dir, tlsPort, Pebble.freePort())) {
            AutocertSettings settings = new AutocertSettings(true, "localhost", cacheDir.toString(), "", false,
                    "localhost", false, ":80", pebble.directory().toString(), pebble.caCert().toString());
            try (Autocert autocert = Autocert.of(settings, RenewalPolicy.DEFAULT, clock, Duration.ofMillis(200),
                    Autocert.Limits.DEFAULT)) {
                Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                        .childHandler(new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline().addLast(new AutocertSniHandler(autocert));
                            }
                        }).bind("127.0.0.1", tlsPort).sync().channel();
                try {
                    SslContext first = lookup(autocert);
                    CertificateCache cache = new CertificateCache(cacheDir);
                    CertificateCache.Entry issued = cache.load("localhost", false).orElseThrow();
                    BigInteger firstSerial = issued.leaf().getSerialNumber();
                    assertThat(lookup(autocert)).as("served from memory until due").isSameAs(first);

                    clock.now.set(issued.leaf().getNotAfter().toInstant().minus(Duration.ofDays(1)));

                    await("renewed certificate in the cache").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                            .until(() -> !cache.load("localhost", false).orElseThrow().leaf().getSerialNumber()
                                    .equals(firstSerial));
                    clock.now.set(Instant.now()); // the new certificate is not due: no further orders
                    await("renewed certificate served").atMost(WAIT).until(() -> lookup(autocert) != first);
                } finally {
                    server.close().sync();
                }
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    private static SslContext lookup(Autocert autocert) throws Exception {
        return autocert.map("localhost", ImmediateEventExecutor.INSTANCE.newPromise())
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
