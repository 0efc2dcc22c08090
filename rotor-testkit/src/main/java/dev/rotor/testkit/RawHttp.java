package dev.rotor.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Raw HTTP over a plain socket, for tests that must see or send exactly what a library would hide (upgrade
 * headers, unanswered pings). Stateless.
 */
public final class RawHttp {
    private RawHttp() {
    }

    /** Sends a WebSocket upgrade for {@code path} with the given extra header lines (each ending in CRLF). */
    public static void sendUpgrade(Socket socket, String path, String extraHeaders) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders
                + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
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
