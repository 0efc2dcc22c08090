package dev.rotor.server.attack;

import dev.rotor.testkit.RawHttp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Attacker connections that write as fast as the server takes bytes and never read: a byte stream per connection
 * (a prefix, then a chunk repeated up to a total length) written from one thread through a {@link Selector}. Each
 * stream ends in one {@link Outcome}: the server closed or reset the connection; the server stopped reading it (no
 * byte taken during the last stall time of the attack: back-pressure); or the server took the whole stream or was
 * still taking bytes when the time ran out (the attack was not bounded). Attackers ask for a tiny receive buffer,
 * so whatever the server answers piles up on the server's side rather than in the kernel. Not thread-safe;
 * {@link #close} closes every connection.
 */
final class Flood implements AutoCloseable {
    /** How an attacker's stream ended. */
    enum Outcome {
        /** The server closed or reset the connection. */
        CLOSED,
        /** The server stopped reading from the connection (nothing accepted during the last stall time). */
        STALLED,
        /** The server took the whole stream, or was still taking bytes when the time ran out. */
        UNBOUNDED
    }

    /** One attacker connection and what it writes; written only by {@link #run}. */
    private static final class Stream {
        final SocketChannel channel;
        final ByteBuffer prefix;
        final ByteBuffer chunk;
        final long limit;
        long written; // bytes accepted by the kernel so far
        long lastProgress; // System.nanoTime() of the last accepted byte
        Outcome outcome; // null while running

        Stream(SocketChannel channel, byte[] prefix, byte[] chunk, long limit) {
            this.channel = channel;
            this.prefix = ByteBuffer.wrap(prefix);
            this.chunk = ByteBuffer.wrap(chunk);
            this.limit = limit;
        }
    }

    private final List<Stream> streams = new ArrayList<>();

    /** Opens a loopback connection to {@code port} with a 4 KB receive buffer, in blocking mode. */
    static SocketChannel connect(int port) {
        try {
            SocketChannel ch = SocketChannel.open();
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 4096);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 64 * 1024);
            ch.connect(new InetSocketAddress("127.0.0.1", port));
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connection upgraded to a WebSocket at {@code path} (the 101 head consumed); fails unless upgraded. */
    static SocketChannel upgraded(int port, String path) {
        SocketChannel ch = connect(port);
        try {
            ch.write(ByteBuffer.wrap(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII)));
            ch.socket().setSoTimeout(10_000);
            String head = RawHttp.readHead(ch.socket().getInputStream());
            if (!head.startsWith("HTTP/1.1 101")) {
                ch.close();
                throw new AssertionError("expected a WebSocket upgrade of " + path + ", got: " + head);
            }
            return ch;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code count} copies of {@code bytes} back to back, e.g. a burst of pings or of pipelined requests. */
    static byte[] repeat(byte[] bytes, int count) {
        byte[] out = new byte[bytes.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(bytes, 0, out, i * bytes.length, bytes.length);
        }
        return out;
    }

    /** Adds a stream: {@code prefix}, then {@code chunk} again and again, {@code limit} bytes in all. */
    Flood add(SocketChannel channel, byte[] prefix, byte[] chunk, long limit) {
        streams.add(new Stream(channel, prefix, chunk, limit));
        return this;
    }

    /** Adds a stream that writes {@code bytes} once. */
    Flood add(SocketChannel channel, byte[] bytes) {
        return add(channel, bytes, new byte[0], bytes.length);
    }

    /**
     * Writes every stream for {@code max}, or until each was closed or got its whole stream in, and returns the
     * outcomes in the order the streams were added. A stream still open at the end is {@link Outcome#STALLED} if the
     * server took none of its bytes during the last {@code stall}, else {@link Outcome#UNBOUNDED}: a server that
     * stops reading a peer which never reads has no reason to resume, while one that was only slow (a loaded
     * machine, a GC pause) resumes and is caught.
     */
    List<Outcome> run(Duration max, Duration stall) {
        try (Selector selector = Selector.open()) {
            long start = System.nanoTime();
            for (Stream s : streams) {
                s.channel.configureBlocking(false);
                s.channel.register(selector, SelectionKey.OP_WRITE, s);
                s.lastProgress = start;
            }
            while (System.nanoTime() - start < max.toNanos()
                    && streams.stream().anyMatch(s -> s.outcome == null)) {
                selector.select(50);
                for (SelectionKey key : selector.selectedKeys()) {
                    Stream s = (Stream) key.attachment();
                    write(s);
                    if (s.outcome != null) {
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
            }
            long end = System.nanoTime();
            for (Stream s : streams) {
                if (s.outcome == null) {
                    s.outcome = end - s.lastProgress >= stall.toNanos() ? Outcome.STALLED : Outcome.UNBOUNDED;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return streams.stream().map(s -> s.outcome).toList();
    }

    /** Bytes the server's kernel accepted on each stream, in the order added. */
    List<Long> written() {
        return streams.stream().map(s -> s.written).toList();
    }

    private static void write(Stream s) {
        if (s.outcome != null) {
            return;
        }
        try {
            long n;
            int writes = 0; // bounded, so that one fast stream cannot starve the others and the clock
            do {
                ByteBuffer src = s.prefix.hasRemaining() ? s.prefix : s.chunk;
                if (!src.hasRemaining()) {
                    src.rewind();
                }
                long left = s.limit - s.written;
                int oldLimit = src.limit();
                if (src.remaining() > left) {
                    src.limit(src.position() + (int) left);
                }
                n = s.channel.write(src);
                src.limit(oldLimit);
                s.written += n;
                if (n > 0) {
                    s.lastProgress = System.nanoTime();
                }
                if (s.written >= s.limit) {
                    s.outcome = Outcome.UNBOUNDED;
                    return;
                }
            } while (n > 0 && ++writes < 16);
        } catch (IOException e) {
            s.outcome = Outcome.CLOSED;
        }
    }

    @Override
    public void close() {
        for (Stream s : streams) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
