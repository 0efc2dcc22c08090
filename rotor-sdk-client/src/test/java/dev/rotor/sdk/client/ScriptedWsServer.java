package dev.rotor.sdk.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A hand-written WebSocket server on a free loopback port whose every connection follows a test's script: it
 * completes the RFC 6455 §4.2 handshake, then the script reads the client's (masked) frames and answers with
 * unmasked text, binary or fragmented frames, or closes. It plays servers that Rotor is not: broken, hostile or
 * merely different. Thread-safe; one daemon thread accepts and one runs each connection's script.
 *
 * <p>A script failing with anything but an {@link IOException} (the client leaving) is kept and rethrown by
 * {@link #close()}, so that an assertion inside a script fails the test.
 */
final class ScriptedWsServer implements AutoCloseable {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** What the server does with one accepted connection; {@code n} counts connections from 1. */
    interface Script {
        void run(Peer peer, int n) throws Exception;
    }

    private final ServerSocket listener;
    private final Script script;
    private final AtomicInteger accepted = new AtomicInteger();
    /** {@link System#nanoTime()} of each accept, in order. */
    final List<Long> acceptedAt = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    ScriptedWsServer(Script script) throws IOException {
        this.script = script;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "scripted-ws-accept");
        t.setDaemon(true);
        t.start();
    }

    String url() {
        return "ws://127.0.0.1:" + listener.getLocalPort() + "/connection/websocket";
    }

    int accepted() {
        return accepted.get();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException closed) {
                return;
            }
            acceptedAt.add(System.nanoTime());
            int n = accepted.incrementAndGet();
            sockets.add(s);
            Thread t = new Thread(() -> {
                try (s) {
                    s.setSoTimeout(10_000);
                    Peer peer = Peer.handshake(s);
                    if (peer != null) {
                        script.run(peer, n);
                    }
                } catch (IOException peerLeft) {
                    // the client closed the connection, or the test closed the server
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, "scripted-ws-" + n);
            t.setDaemon(true);
            t.start();
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : sockets) {
            s.close();
        }
        if (!failures.isEmpty()) {
            AssertionError e = new AssertionError("a connection's script failed", failures.get(0));
            failures.stream().skip(1).forEach(e::addSuppressed);
            throw e;
        }
    }

    /** One client connection after the handshake. Confined to its script's thread. */
    static final class Peer {
        private final InputStream in;
        private final OutputStream out;

        private Peer(InputStream in, OutputStream out) {
            this.in = in;
            this.out = out;
        }

        /** Reads the upgrade request and answers 101; null if the client left first. */
        static Peer handshake(Socket s) throws IOException {
            InputStream in = s.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.append((char) b);
            }
            Matcher key = Pattern.compile("(?i)sec-websocket-key: *(\\S+)").matcher(head);
            if (!key.find()) {
                throw new IOException("no Sec-WebSocket-Key in " + head);
            }
            OutputStream out = s.getOutputStream();
            out.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept(key.group(1)) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new Peer(in, out);
        }

        /** RFC 6455 §1.3: base64 of the SHA-1 of the key and the protocol's GUID. */
        private static String accept(String key) {
            try {
                byte[] sha1 = MessageDigest.getInstance("SHA-1").digest(
                        (key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII));
                return Base64.getEncoder().encodeToString(sha1);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The commands of the client's next data message (an object or an array of them); null once it closed. */
        List<JsonNode> readCommands() throws IOException {
            String text = readMessage();
            if (text == null) {
                return null;
            }
            JsonNode root = MAPPER.readTree(text);
            List<JsonNode> out = new ArrayList<>();
            if (root.isArray()) {
                root.forEach(out::add);
            } else {
                out.add(root);
            }
            return out;
        }

        /** The single command of the client's next message, which must have {@code method}. */
        JsonNode readCommand(String method) throws IOException {
            List<JsonNode> commands = readCommands();
            if (commands == null || commands.size() != 1 || !method.equals(commands.get(0).path("method").asText())) {
                throw new AssertionError("expected one " + method + " command, got " + commands);
            }
            return commands.get(0);
        }

        /** Answers {@code command} with {@code body} (a JSON object, or null for a reply without one). */
        void reply(JsonNode command, String body) throws IOException {
            sendText("{\"uid\":\"" + command.path("uid").asText() + "\",\"method\":\""
                    + command.path("method").asText() + "\"" + (body == null ? "" : ",\"body\":" + body) + "}");
        }

        /** Reads the {@code connect} command and answers it as Rotor does for an insecure client. */
        void acceptConnect(String clientId) throws IOException {
            reply(readCommand("connect"), "{\"version\":\"1.8.0\",\"client\":\"" + clientId + "\"}");
        }

        /** The text of the client's next data message, its fragments joined; null once the client closed. */
        String readMessage() throws IOException {
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                int b0 = in.read();
                int b1 = in.read();
                if (b0 < 0 || b1 < 0) {
                    return null;
                }
                long len = b1 & 0x7f;
                if (len == 126) {
                    len = (readByte() << 8) | readByte();
                } else if (len == 127) {
                    len = 0;
                    for (int i = 0; i < 8; i++) {
                        len = (len << 8) | readByte();
                    }
                }
                byte[] mask = (b1 & 0x80) != 0 ? in.readNBytes(4) : new byte[4];
                byte[] payload = in.readNBytes(Math.toIntExact(len));
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
                int opcode = b0 & 0x0f;
                if (opcode == 0x8) {
                    return null; // close
                }
                if (opcode >= 0x8) {
                    continue; // ping, pong
                }
                message.write(payload);
                if ((b0 & 0x80) != 0) {
                    return message.toString(StandardCharsets.UTF_8);
                }
            }
        }

        /** Reads (and ignores) what the client sends until it closes the connection. */
        void readUntilClosed() throws IOException {
            while (readMessage() != null) {
                // the client's frames do not matter to this script any more
            }
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the client left inside a frame header");
            }
            return b;
        }

        /** Sends a close frame (RFC 6455 §5.5.1); the connection ends when the script returns. */
        void sendClose(int code, String reason) throws IOException {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            byte[] payload = new byte[2 + r.length];
            payload[0] = (byte) (code >>> 8);
            payload[1] = (byte) code;
            System.arraycopy(r, 0, payload, 2, r.length);
            sendFrame(true, 0x8, payload);
        }

        /** Sends a ping control frame with the payload {@code ping}, as Rotor and v1 do every {@code ping_interval}. */
        void sendPing() throws IOException {
            sendFrame(true, 0x9, "ping".getBytes(StandardCharsets.US_ASCII));
        }

        void sendText(String text) throws IOException {
            sendFrame(true, 0x1, text.getBytes(StandardCharsets.UTF_8));
        }

        /**
         * Sends one unmasked frame (RFC 6455 §5.2): {@code opcode} 0x1 text, 0x2 binary, 0x0 continuation; without
         * {@code fin} the message goes on in the next frame.
         */
        void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
            byte[] head;
            if (payload.length < 126) {
                head = new byte[] {0, (byte) payload.length};
            } else if (payload.length <= 0xffff) {
                head = new byte[] {0, 126, (byte) (payload.length >>> 8), (byte) payload.length};
            } else {
                head = new byte[10];
                head[1] = 127;
                for (int i = 0; i < 4; i++) {
                    head[9 - i] = (byte) (payload.length >>> (8 * i));
                }
            }
            head[0] = (byte) ((fin ? 0x80 : 0) | opcode);
            out.write(head);
            out.write(payload);
            out.flush();
        }
    }
}
