package dev.rotor.bench;

import dev.rotor.protocol.Signatures;
import java.nio.charset.StandardCharsets;

/**
 * The node under load: loopback host and port, the project secret for tokens and API signs, and whether the API
 * is insecure (no sign sent). Immutable.
 */
record Target(String host, int port, String secret, boolean insecureApi) {
    Target {
        if (!host.equals("127.0.0.1") && !host.equals("::1") && !host.equals("localhost")) {
            throw new IllegalArgumentException("the load generator only talks to loopback (127.0.0.1 or ::1), not "
                    + host);
        }
    }

    /** The v1 connect + subscribe frame for one connection, as one JSON array (two replies come back). */
    byte[] connectAndSubscribe(String user, String channel) {
        String ts = Long.toString(System.currentTimeMillis() / 1000);
        String token = Signatures.clientToken(secret, user, ts, "");
        return ("[{\"method\":\"connect\",\"params\":{\"user\":\"" + user + "\",\"timestamp\":\"" + ts
                + "\",\"info\":\"\",\"token\":\"" + token + "\"}},{\"method\":\"subscribe\",\"params\":{\"channel\":\""
                + channel + "\"}}]").getBytes(StandardCharsets.UTF_8);
    }

    /** The X-API-Sign value for a body, or null when the API is insecure. */
    String apiSign(byte[] body) {
        return insecureApi ? null : Signatures.apiSign(secret, body);
    }
}
