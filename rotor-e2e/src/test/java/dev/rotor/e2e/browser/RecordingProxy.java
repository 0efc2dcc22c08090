package dev.rotor.e2e.browser;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A transparent TCP proxy on a free loopback port in front of the Rotor server that records, per connection, the
 * HTTP request lines the server received and the status lines it answered. Bytes are forwarded unchanged in both
 * directions (HTTP, long-polling, streaming and WebSocket alike), so the browser talks to the real server; the
 * record tells which SockJS routes actually served the session.
 *
 * <p>Thread-safe. Connections are handled by daemon threads; {@link #close()} closes every socket.
 */
final class RecordingProxy implements AutoCloseable {
    /** One request seen by the server and the status it answered with (0 while no status line was seen yet). */
    record Exchange(String method, String path, int status) {
        @Override
        public String toString() {
            return method + " " + path + " -> " + status;
        }
    }

    private static final Pattern REQUEST_LINE =
            Pattern.compile("(GET|POST|OPTIONS|HEAD|PUT|DELETE) (/\\S*) HTTP/1\\.[01]\r\n");
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] (\\d{3}) [^\r\n]*\r\n");
    /** Scanning stops after this many bytes in one direction of one connection (bounded memory). */
    private static final int SCAN_LIMIT = 1 << 20;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Object lock = new Object();
    /** Every connection accepted so far, in order; guarded by {@code lock}. */
    private final List<Connection> connections = new ArrayList<>();
    /** Open sockets, closed by {@link #close()}; guarded by {@code lock}. */
    private final List<Socket> sockets = new ArrayList<>();

    RecordingProxy(int targetPort) throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        this.target = new InetSocketAddress(loopback, targetPort);
        this.listener = new ServerSocket(0, 50, loopback);
        Thread acceptor = new Thread(this::acceptLoop, "recording-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port browsers should connect to instead of the server's. */
    int port() {
        return listener.getLocalPort();
    }

    /** Every request recorded so far, in the order the connections were accepted, then in request order. */
    List<Exchange> exchanges() {
        synchronized (lock) {
            List<Exchange> all = new ArrayList<>();
            for (Connection c : connections) {
                for (int i = 0; i < c.requests.size(); i++) {
                    String[] r = c.requests.get(i);
                    all.add(new Exchange(r[0], r[1], i < c.statuses.size() ? c.statuses.get(i) : 0));
                }
            }
            return all;
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        synchronized (lock) {
            for (Socket s : sockets) {
                closeQuietly(s);
            }
        }
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return; // closed
            }
            Socket server = new Socket();
            Connection connection = new Connection();
            synchronized (lock) {
                sockets.add(client);
                sockets.add(server);
                connections.add(connection);
            }
            try {
                server.connect(target, 10_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            pump(client, server, new Scanner(REQUEST_LINE, m -> connection.request(m.group(1), m.group(2))));
            pump(server, client, new Scanner(STATUS_LINE, m -> connection.status(Integer.parseInt(m.group(1)))));
        }
    }

    private void pump(Socket from, Socket to, Scanner scanner) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    scanner.feed(buffer, n);
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed; close both below
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "recording-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    /** The requests and statuses of one connection (HTTP/1.1 answers in request order). */
    private final class Connection {
        /** Method and path of each request; guarded by {@code lock}. */
        private final List<String[]> requests = new ArrayList<>();
        /** Status of each response; guarded by {@code lock}. */
        private final List<Integer> statuses = new ArrayList<>();

        void request(String method, String path) {
            synchronized (lock) {
                requests.add(new String[] {method, path});
            }
        }

        void status(int status) {
            synchronized (lock) {
                statuses.add(status);
            }
        }
    }

    /** Finds complete matches of a line pattern in one direction of a byte stream. Confined to its pump thread. */
    private static final class Scanner {
        private final Pattern pattern;
        private final Consumer<Matcher> onMatch;
        /** Bytes seen so far as ISO-8859-1 text; at most {@link #SCAN_LIMIT} characters. */
        private final StringBuilder text = new StringBuilder();
        /** Where the next search starts (just after the previous match). */
        private int from;

        Scanner(Pattern pattern, Consumer<Matcher> onMatch) {
            this.pattern = pattern;
            this.onMatch = onMatch;
        }

        void feed(byte[] bytes, int length) {
            if (text.length() >= SCAN_LIMIT) {
                return;
            }
            text.append(new String(bytes, 0, Math.min(length, SCAN_LIMIT - text.length()),
                    StandardCharsets.ISO_8859_1));
            Matcher m = pattern.matcher(text);
            m.region(from, text.length());
            while (m.find()) {
                onMatch.accept(m);
                from = m.end();
            }
        }
    }
}
