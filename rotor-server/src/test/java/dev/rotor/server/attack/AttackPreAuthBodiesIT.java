package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertAll;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Large and many bodies before authentication (issue 10): {@value #CONNECTIONS} connections in parallel each stream a
 * 6 MiB {@code POST /api/} body that is not correctly signed, four kinds in turn: just under the automatic
 * {@code http_max_body_size} of the 128 MB heap (8 MiB), so it is the server-wide body budget (32 MiB), not a 413
 * from the head, that must bound the 96 MiB offered at once. Two kinds can be judged from their
 * head, because a JSON request with neither {@code X-API-Sign} nor a correct {@code Authorization: apikey} cannot be
 * valid: each of those attackers must be cut off (answered and closed, or no longer read) before its body is in.
 * The other two carry a sign that can only be checked against the whole body (a wrong {@code X-API-Sign}; a form
 * with a wrong {@code sign}), so the server may read such a body to its end; what bounds them all together is the
 * server-wide body budget, which the verdict checks: RSS, no out-of-memory error, bystanders unharmed.
 */
class AttackPreAuthBodiesIT {
    private static final int BODY = 6 * 1024 * 1024;
    private static final int CONNECTIONS = 16;

    /** A kind of unauthenticated request: its head up to the first body bytes, and whether the head condemns it. */
    private enum Kind {
        UNSIGNED_JSON("Content-Type: application/json\r\n\r\n[\"", true),
        WRONG_API_KEY("Content-Type: application/json\r\nAuthorization: apikey wrong\r\n\r\n{\"method\":\"", true),
        WRONG_SIGN_JSON("Content-Type: application/json\r\nX-API-Sign: " + "0".repeat(64) + "\r\n\r\n[\"", false),
        WRONG_SIGN_FORM("Content-Type: application/x-www-form-urlencoded\r\n\r\nsign=wrong&data=", false);

        final String headTail;
        final boolean judgedFromHead;

        Kind(String headTail, boolean judgedFromHead) {
            this.headTail = headTail;
            this.judgedFromHead = judgedFromHead;
        }
    }

    @TempDir
    Path dir;

    @Test
    void manyLargeUnauthenticatedBodiesAreBounded() {
        try (RotorProcess server = Attack.server(dir, "");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) 'a');
            List<Kind> kinds = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                Kind kind = Kind.values()[i % Kind.values().length];
                kinds.add(kind);
                String head = "POST /api/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + BODY + "\r\n"
                        + kind.headTail;
                long bodyStart = head.indexOf("\r\n\r\n") + 4;
                flood.add(Flood.connect(server.port()), head.getBytes(StandardCharsets.US_ASCII), chunk,
                        bodyStart + BODY);
            }
            List<Flood.Outcome> outcomes = flood.run(Attack.MAX, Attack.STALL);
            List<String> judgedFromHead = new ArrayList<>();
            for (int i = 0; i < CONNECTIONS; i++) {
                if (kinds.get(i).judgedFromHead) {
                    judgedFromHead.add(kinds.get(i) + " " + outcomes.get(i));
                }
            }
            assertAll(
                    () -> assertThat(judgedFromHead).as("attackers judged from their head are cut off (kinds %s, "
                            + "bytes each got in: %s)", kinds, flood.written())
                            .noneMatch(o -> o.endsWith(Flood.Outcome.UNBOUNDED.name())),
                    bystanders::assertUnharmed);
        }
    }
}
