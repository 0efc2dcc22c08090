package dev.rotor.server.attack;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelining without reading (issue 10): two connections send millions of pipelined {@code GET /health} requests
 * and never read a response. The server must stop reading them (or close them) once their responses pile up, not
 * buffer every response, while the bystanders are unharmed.
 */
class AttackPipeliningIT {
    private static final byte[] REQUEST = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);
    /** At most this many requests per connection (the attack is bounded by {@link Attack#MAX} too). */
    private static final long REQUESTS = 5_000_000;

    @TempDir
    Path dir;

    @Test
    void pipelinedRequestsThatAreNeverReadAreCutOff() {
        try (RotorProcess server = Attack.server(dir, "");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] burst = Flood.repeat(REQUEST, 2000);
            for (int i = 0; i < 2; i++) {
                flood.add(Flood.connect(server.port()), new byte[0], burst, REQUESTS * REQUEST.length);
            }
            Attack.assertCutOff(flood, bystanders);
        }
    }
}
