package dev.rotor.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * Raw HTTP and WebSocket frames over a plain socket, for tests that must see or send exactly what a library would
 * hide (upgrade headers, compression bits, unanswered pings). Stateless.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /**
     * Opens a loopback socket (5 s read timeout), upgrades it to a WebSocket at {@code path} and returns it with the
     * response head consumed; fails unless the server answered {@code 101}.
     */
    public static Socket upgraded(int port, String path, String extraHeaders) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(5000);
        sendUpgrade(socket, path, extraHeaders);
        String head = readHead(socket.getInputStream());
        if (!head.startsWith("HTTP/1.1 101")) {
            socket.close();
            throw new AssertionError("expected a WebSocket upgrade of " + path + ", got: " + head);
        }
        return socket;
    }

    /** Sends a WebSocket upgrade for {@code path} with the given extra header lines (each ending in CRLF). */
    public static void sendUpgrade(Socket socket, String path, String extraHeaders) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** One WebSocket frame as sent by the server: the first header byte (FIN, RSV bits, opcode) and the payload. */
    public record Frame(int head, byte[] payload) {
        public int opcode() {
            return head & 0x0F;
        }

        /** RSV1: set on a permessage-deflate compressed message. */
        public boolean compressed() {
            return (head & 0x40) != 0;
        }

        public String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** Writes one final, masked (as a client must) WebSocket frame with the given opcode. */
    public static void writeFrame(Socket socket, int opcode, byte[] payload) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(clientFrame(opcode, payload));
        out.flush();
    }

    /** One final WebSocket frame, masked as a client must (RFC 6455 §5.3), of any payload length (§5.2). */
    public static byte[] clientFrame(int opcode, byte[] payload) {
        java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream(payload.length + 14);
        frame.write(0x80 | opcode);
        if (payload.length < 126) {
            frame.write(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.write(0x80 | 126);
            frame.write(payload.length >>> 8);
            frame.write(payload.length & 0xFF);
        } else {
            frame.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                frame.write((int) ((long) payload.length >>> shift) & 0xFF);
            }
        }
        byte[] mask = {0x12, 0x34, 0x56, 0x78};
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }

    /** Reads one unmasked server frame; null at end of stream. */
    public static Frame readFrame(InputStream in) throws IOException {
        int head = in.read();
        if (head < 0) {
            return null;
        }
        int len = in.read();
        if (len < 0) {
            return null;
        }
        long length = len & 0x7F;
        if (length == 126) {
            length = ((long) in.read() << 8) | in.read();
        } else if (length == 127) {
            length = 0;
            for (int i = 0; i < 8; i++) {
                length = (length << 8) | in.read();
            }
        }
        return new Frame(head, in.readNBytes((int) length));
    }

    /** The bytes of one {@code POST} request with a body, to write (or pipeline) on a raw socket. */
    public static byte[] post(String path, String contentType, String body) {
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        return ("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: " + contentType
                + "\r\nContent-Length: " + content.length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What arrives on {@code in} before the socket's read timeout ({@link Socket#setSoTimeout}) passes with nothing
     * more, as text; empty when nothing came.
     */
    public static String readAvailable(InputStream in) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                got.write(buf, 0, n);
                if (in.available() == 0) {
                    break;
                }
            }
        } catch (SocketTimeoutException e) {
            // nothing (more) within the timeout
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Reads a response head up to and including the blank line (or to end of stream). */
    public static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            sb.append((char) b);
        }
        return sb.toString();
    }
}
