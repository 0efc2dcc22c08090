package dev.rotor.server.attack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large and many bodies before authentication (issue 10): 16 connections in parallel each stream a {@value #BODY}
 * byte {@code /api/} body with a wrong sign, half JSON (whose head already shows it cannot be valid: a wrong
 * {@code X-API-Sign}) and half form-encoded (whose sign is in the body). The server must not take all of that in:
 * it answers the JSON ones from their head and closes them, and stops reading the form ones once the global body
 * budget is spent (or refuses them), while the bystanders are unharmed.
 */
class AttackPreAuthBodiesIT {
    private static final int BODY = 40 * 1024 * 1024;
    private static final int CONNECTIONS = 16;

    @TempDir
    Path dir;

    @Test
    void manyLargeUnauthenticatedBodiesAreCutOff() {
        try (RotorProcess server = Attack.server(dir, "");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            for (int i = 0; i < CONNECTIONS; i++) {
                boolean json = i % 2 == 0;
                String head = "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BODY + "\r\n"
                        + (json ? "Content-Type: application/json\r\nX-API-Sign: " + "0".repeat(64) + "\r\n\r\n"
                                + "[\"" : "Content-Type: application/x-www-form-urlencoded\r\n\r\nsign=wrong&data=");
                byte[] prefix = head.getBytes(StandardCharsets.US_ASCII);
                int bodyStart = head.indexOf("\r\n\r\n") + 4;
                flood.add(Flood.connect(server.port()), prefix, chunk, bodyStart + (long) BODY);
            }
            Attack.assertCutOff(flood, bystanders);
        }
    }
}
