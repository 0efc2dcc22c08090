package dev.rotor.server.attack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Slowloris attackers: connections that hold a server's file descriptor while sending little or nothing. Each has
 * sent what it was given when added; a trickling one then sends one more byte every {@link #TRICKLE_EVERY}, as a
 * slow client would, to defeat a timeout that restarts on every byte. {@link #awaitClosedByServer} reads whatever
 * the server sends (an error response, a close frame) until every connection has reached end of stream or was reset.
 * Not thread-safe; {@link #close} closes every connection.
 */
final class Slowloris implements AutoCloseable {
    static final Duration TRICKLE_EVERY = Duration.ofMillis(500);
    private static final byte[] TRICKLE = "a".getBytes(StandardCharsets.US_ASCII);

    private record Holder(SocketChannel channel, boolean trickles) {
    }

    private final List<Holder> holders = new ArrayList<>();

    /** Adds a connection that already sent {@code sent} (may be empty) and then sends nothing more. */
    Slowloris hold(SocketChannel channel, String sent) {
        return add(channel, sent, false);
    }

    /** Adds a connection that sent {@code sent} and then trickles one byte every {@link #TRICKLE_EVERY}. */
    Slowloris trickle(SocketChannel channel, String sent) {
        return add(channel, sent, true);
    }

    private Slowloris add(SocketChannel channel, String sent, boolean trickles) {
        try {
            channel.write(ByteBuffer.wrap(sent.getBytes(StandardCharsets.US_ASCII)));
            channel.configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        holders.add(new Holder(channel, trickles));
        return this;
    }

    int size() {
        return holders.size();
    }

    /**
     * Waits at most {@code max} for the server to close every connection; returns how many were still open then.
     */
    int awaitClosedByServer(Duration max) {
        ByteBuffer scratch = ByteBuffer.allocate(64 * 1024);
        long deadline = System.nanoTime() + max.toNanos();
        long nextTrickle = System.nanoTime() + TRICKLE_EVERY.toNanos();
        try (Selector selector = Selector.open()) {
            for (Holder h : holders) {
                h.channel.register(selector, SelectionKey.OP_READ, h);
            }
            while (!selector.keys().isEmpty() && System.nanoTime() < deadline) {
                selector.select(100);
                for (SelectionKey key : selector.selectedKeys()) {
                    if (closedByServer(((Holder) key.attachment()).channel, scratch)) {
                        key.cancel();
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextTrickle) {
                    nextTrickle += TRICKLE_EVERY.toNanos();
                    for (SelectionKey key : selector.keys()) {
                        Holder h = (Holder) key.attachment();
                        if (key.isValid() && h.trickles && !sendTrickle(h.channel)) {
                            key.cancel();
                        }
                    }
                }
                selector.selectNow(); // flush cancelled keys out of keys()
                selector.selectedKeys().clear();
            }
            return selector.keys().size();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads what is there; true at end of stream or on a reset. */
    private static boolean closedByServer(SocketChannel channel, ByteBuffer scratch) {
        try {
            int n;
            do {
                scratch.clear();
                n = channel.read(scratch);
            } while (n > 0);
            return n < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** Sends one more byte; false if the server has closed the connection. */
    private static boolean sendTrickle(SocketChannel channel) {
        try {
            channel.write(ByteBuffer.wrap(TRICKLE));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() {
        for (Holder h : holders) {
            try {
                h.channel.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }
}
