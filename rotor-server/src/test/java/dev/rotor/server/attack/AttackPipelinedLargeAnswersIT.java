package dev.rotor.server.attack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipelining for a large answer without reading: eight unauthenticated connections pipeline requests for the web
 * interface's largest file (uPlot's script, ~50 KB) and never read. Pausing reading stopped new bytes, but every
 * request already decoded from the last read was answered at once, and 64 KiB of requests asks for some 900 of these
 * answers (before the fix the bystanders' RSS bound failed). Requests now wait while the connection is not writable.
 */
class AttackPipelinedLargeAnswersIT {
    private static final Pattern SCRIPT = Pattern.compile("src=\"(assets/uPlot\\.min\\.[0-9a-f]+\\.js)\"");
    private static final int CONNECTIONS = 8;
    /** At most this many requests per connection (the attack is bounded by {@link Attack#MAX} too). */
    private static final long REQUESTS = 1_000_000;

    @TempDir
    Path dir;

    @Test
    void pipelinedRequestsForALargeAnswerAreCutOffHoldingLittle() throws Exception {
        try (RotorProcess server = Attack.server(dir,
                "\"admin_password\": \"attack-password\", \"admin_secret\": \"attack-admin-secret\"", "--web");
                Bystanders bystanders = Bystanders.watch(server, Attack.SECRET);
                Flood flood = new Flood()) {
            byte[] request = ("GET /" + largestScript(server) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII);
            byte[] burst = Flood.repeat(request, 1000);
            for (int i = 0; i < CONNECTIONS; i++) {
                flood.add(Flood.connect(server.port()), new byte[0], burst, REQUESTS * request.length);
            }
            Attack.assertCutOff(flood, bystanders);
        }
    }

    /** The path of uPlot's script, as the web interface's page names it. */
    private static String largestScript(RotorProcess server) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        Matcher m = SCRIPT.matcher(page.body());
        assertThat(m.find()).as("uPlot's script on the page").isTrue();
        HttpResponse<byte[]> script = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/" + m.group(1))).timeout(Duration.ofSeconds(5))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(script.body().length).as("a large answer").isGreaterThan(40_000);
        return m.group(1);
    }
}
