package dev.rotor.cli;

import dev.rotor.auth.Hmac;
import dev.rotor.config.ConfigLoader;
import dev.rotor.config.RotorConfig;
import dev.rotor.engine.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * {@link Warmup} through a private server: a server of the same build on a free loopback port, with the memory
 * engine, a random secret and the default settings, takes raw WebSocket connections from a few client threads of
 * this process. Each connects with a signed token, subscribes to one of 100 channels and goes, half of them with a
 * close frame and half by dropping the TCP connection. The private server is shut down before the call returns,
 * so nothing of it (engine, ports, sessions) reaches the real one; only the compiled code stays.
 * <p>
 * Why a private server: the real one's engine may be Redis, where a subscription or a presence entry would be seen
 * by other nodes, and its metrics would count connections that no client made. Why raw sockets: a client of a few
 * lines adds little code of its own for the JIT to compile. Thread-safe; each {@link #run} starts its own server.
 */
final class ConnectionWarmup implements Warmup {
    /** Client threads, each with one connection at a time: a few, so that the server has work while each one waits. */
    private static final int CLIENT_THREADS = 4;
    /** How long a warm-up client waits for one answer of the private server before the warm-up fails. */
    private static final int READ_TIMEOUT_MILLIS = 10_000;
    private static final int CHANNELS = 100;

    private final EngineFactory engines;
    private final ManagedServer.Factory servers;

    ConnectionWarmup(EngineFactory engines, ManagedServer.Factory servers) {
        this.engines = Objects.requireNonNull(engines, "engines");
        this.servers = Objects.requireNonNull(servers, "servers");
    }

    @Override
    public Result run(int connections, Duration limit, BooleanSupplier cancelled) throws Exception {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        String secret = UUID.randomUUID().toString();
        int port = LoopbackPorts.free();
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("address", "127.0.0.1");
        flags.put("port", Integer.toString(port));
        flags.put("engine", "memory");
        // no config file: defaults, the random secret from the environment map, the flags above
        RotorConfig c = new ConfigLoader(Path.of(""), Map.of("CENTRIFUGO_SECRET", secret), flags).load().config();
        Engine engine = engines.create(c);
        ManagedServer server;
        try {
            server = servers.create(c, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        AtomicReference<Exception> failure = new AtomicReference<>();
        try {
            server.start();
            List<Thread> clients = new ArrayList<>();
            for (int t = 0; t < CLIENT_THREADS; t++) {
                Thread client = new Thread(() -> {
                    try {
                        for (int i = next.getAndIncrement(); i < connections && failure.get() == null
                                && System.nanoTime() < deadline && !cancelled.getAsBoolean();
                                i = next.getAndIncrement()) {
                            cycle(port, secret, i);
                            done.incrementAndGet();
                        }
                    } catch (IOException | RuntimeException e) {
                        failure.compareAndSet(null, e);
                    }
                }, "rotor-warmup-" + t);
                client.setDaemon(true);
                client.start();
                clients.add(client);
            }
            for (Thread client : clients) {
                // a cycle in flight at the deadline ends within its read timeout at the latest
                client.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()))
                        + READ_TIMEOUT_MILLIS);
            }
        } finally {
            try {
                server.shutdown().get(Main.SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } finally {
                engine.close();
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return new Result(done.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /** One connection: handshake, connect, subscribe, close. Every answer is awaited, so a broken path fails. */
    private static void cycle(int port, String secret, int i) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), READ_TIMEOUT_MILLIS);
            s.setSoTimeout(READ_TIMEOUT_MILLIS);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            out.write(("GET /connection/websocket HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            await(in, buf, " 101 ");
            String user = "warmup-" + i;
            String ts = Long.toString(System.currentTimeMillis() / 1000);
            out.write(textFrame("{\"uid\":\"1\",\"method\":\"connect\",\"params\":{\"user\":\"" + user
                    + "\",\"timestamp\":\"" + ts + "\",\"info\":\"\",\"token\":\""
                    + Hmac.clientToken(secret, user, ts, "") + "\"}}"));
            await(in, buf, "\"connect\"");
            out.write(textFrame("{\"uid\":\"2\",\"method\":\"subscribe\",\"params\":{\"channel\":\"warmup-"
                    + (i % CHANNELS) + "\"}}"));
            await(in, buf, "\"subscribe\"");
            if ((i & 1) == 0) {
                out.write(new byte[] {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0}); // close frame, empty, masked
            }
        }
    }

    /** A client's text frame (RFC 6455 §5.2): masked, with an all-zero key, which leaves the payload as it is. */
    static byte[] textFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        if (payload.length > 0xFFFF) {
            throw new IllegalArgumentException("a warm-up frame has at most 65,535 bytes, not " + payload.length);
        }
        int head = payload.length < 126 ? 2 : 4;
        byte[] frame = new byte[head + 4 + payload.length];
        frame[0] = (byte) 0x81;
        if (head == 2) {
            frame[1] = (byte) (0x80 | payload.length);
        } else {
            frame[1] = (byte) (0x80 | 126);
            frame[2] = (byte) (payload.length >>> 8);
            frame[3] = (byte) payload.length;
        }
        System.arraycopy(payload, 0, frame, head + 4, payload.length);
        return frame;
    }

    /** Reads into {@code buf} until what arrived contains {@code marker}; fails on end of stream or a full buffer. */
    private static void await(InputStream in, byte[] buf, String marker) throws IOException {
        int n = 0;
        while (true) {
            int r = n < buf.length ? in.read(buf, n, buf.length - n) : -1;
            if (r < 0) {
                throw new IOException("the warm-up server sent no " + marker + ": "
                        + new String(buf, 0, Math.min(n, 200), StandardCharsets.ISO_8859_1));
            }
            n += r;
            if (new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(marker)) {
                return;
            }
        }
    }
}
