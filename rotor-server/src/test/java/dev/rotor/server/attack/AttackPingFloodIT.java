package dev.rotor.server.attack;

import dev.rotor.testkit.RawHttp;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ping flood without reading, no login needed (issue 10): two attackers upgrade a WebSocket and send empty PING
 * frames as fast as the server takes them, never reading a pong. On each of the three WebSocket endpoints (raw,
 * SockJS, admin) the server must cut them off (close, or stop reading: back-pressure) while the bystanders are
 * unharmed.
 */
class AttackPingFloodIT {
    private static final int ATTACKERS = 2;
    private static final int PING = 0x9; // RFC 6455 §5.5.2

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"/connection/websocket", "/connection/000/pingflod/websocket", "/socket"})
    void pingFloodWithoutReadingIsCutOff(String path) {
        try (RotorProcess server = Attack.server(dir, "\"admin\": true, \"admin_password\": \"attack-admin-password\","
                + " \"admin_secret\": \"attack-admin-secret\"");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] pings = Flood.repeat(RawHttp.clientFrame(PING, new byte[0]), 10_000);
            for (int i = 0; i < ATTACKERS; i++) {
                flood.add(Flood.upgraded(server.port(), path), new byte[0], pings, Long.MAX_VALUE);
            }
            Attack.assertCutOff(flood, bystanders);
        }
    }
}
