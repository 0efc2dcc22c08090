package dev.rotor.server.attack;

import dev.rotor.testkit.RawHttp;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 30 MB message on the SockJS WebSocket (issue 10): one masked text frame of 30 MB, a valid SockJS message
 * ({@code ["aaa…"]}), before any {@code connect}. The limit is {@code client_request_max_size} (64 KB by default),
 * as on the raw WebSocket, so the server must cut the sender off long before the whole message is in, rather than
 * buffer it, while the bystanders are unharmed.
 */
class AttackSockJsLargeMessageIT {
    private static final int SIZE = 30 * 1024 * 1024;
    private static final int TEXT = 0x1; // RFC 6455 §5.6

    @TempDir
    Path dir;

    @Test
    void thirtyMegabyteSockJsMessageIsCutOff() {
        try (RotorProcess server = Attack.server(dir, "");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] message = new byte[SIZE];
            Arrays.fill(message, (byte) 'a');
            message[0] = '[';
            message[1] = '"';
            message[SIZE - 2] = '"';
            message[SIZE - 1] = ']';
            flood.add(Flood.upgraded(server.port(), "/connection/000/largemsg/websocket"),
                    RawHttp.clientFrame(TEXT, message));
            Attack.assertCutOff(flood, bystanders);
        }
    }
}
