package dev.rotor.testkit.redis;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link TcpProxy} relays to a real redis-server, cuts, delays, and holds its bounds. */
class TcpProxyIT {

    @Test
    void relaysCutsAndDelays() throws Exception {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = TcpProxy.to(redis.port())) {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(ping(s)).isEqualTo("+PONG");
                proxy.delay(Duration.ofMillis(300));
                long start = System.nanoTime();
                assertThat(ping(s)).isEqualTo("+PONG");
                assertThat(System.nanoTime() - start).as("one round trip through two delayed directions")
                        .isGreaterThanOrEqualTo(Duration.ofMillis(600).toNanos());
                proxy.delay(Duration.ZERO);
                proxy.cutAll();
                assertThat(s.getInputStream().read()).as("end of stream after a cut").isEqualTo(-1);
            }
            proxy.block(true);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                assertThat(s.getInputStream().read()).as("closed on arrival while blocked").isEqualTo(-1);
            }
            assertThat(proxy.refused()).isEqualTo(1);
        }
    }

    @Test
    void refusesConnectionsOverTheLimit() throws Exception {
        try (RedisServer redis = RedisServer.start(); TcpProxy proxy = TcpProxy.to(redis.port())) {
            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < TcpProxy.MAX_CONNECTIONS; i++) {
                    open.add(new Socket(InetAddress.getLoopbackAddress(), proxy.port()));
                }
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> proxy.connections() == TcpProxy.MAX_CONNECTIONS);
                try (Socket extra = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                    assertThat(extra.getInputStream().read()).isEqualTo(-1);
                }
                assertThat(proxy.refused()).isEqualTo(1);
                assertThat(ping(open.get(0))).isEqualTo("+PONG");
            } finally {
                for (Socket s : open) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aTargetThatDoesNotReadStopsTheSenderAtTheQueueBound() throws Exception {
        long limit = 64L * 1024 * 1024;
        try (ServerSocket sink = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
                TcpProxy proxy = TcpProxy.to(sink.getLocalPort());
                Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            Socket accepted = sink.accept(); // never read
            AtomicLong written = new AtomicLong();
            Thread writer = new Thread(() -> {
                byte[] chunk = new byte[64 * 1024];
                try (OutputStream out = s.getOutputStream()) {
                    while (written.get() < limit) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            });
            writer.setDaemon(true);
            writer.start();
            long[] seen = {-1};
            // stalled: no progress between two polls half a second apart
            Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).until(() -> {
                long now = written.get();
                boolean stalled = now == seen[0] && now > 0;
                seen[0] = now;
                return stalled;
            });
            assertThat(written.get()).as("bytes accepted: queue bound plus socket buffers").isLessThan(limit);
            assertThat(writer.isAlive()).isTrue();
            accepted.close();
        }
    }

    private static String ping(Socket s) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = s.getInputStream();
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r') {
            b.append((char) c);
        }
        in.read(); // \n
        return b.toString();
    }
}
