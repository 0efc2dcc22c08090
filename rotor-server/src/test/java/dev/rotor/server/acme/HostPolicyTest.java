package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code ssl_autocert_host_whitelist} and {@code ssl_autocert_server_name} (configuration.md §3.5). */
class HostPolicyTest {

    @Test
    void whitelistIsExactAndCaseInsensitive() {
        HostPolicy p = new HostPolicy(List.of("www.example.com", "api.example.com"), "");
        assertThat(p.resolve("www.example.com")).isEqualTo("www.example.com");
        assertThat(p.resolve("WWW.Example.COM.")).isEqualTo("www.example.com");
        assertThat(p.resolve("api.example.com")).isEqualTo("api.example.com");
        assertThat(p.resolve("example.com")).isNull();
        assertThat(p.resolve("evil.www.example.com")).isNull();
    }

    @Test
    void emptyWhitelistAllowsAnyHostNameButNoIpLiteralOrJunk() {
        HostPolicy p = new HostPolicy(List.of(), "");
        assertThat(p.resolve("anything.example.org")).isEqualTo("anything.example.org");
        assertThat(p.resolve("127.0.0.1")).isNull();
        assertThat(p.resolve("a/../b")).isNull();
        assertThat(p.resolve("host:443")).isNull();
        assertThat(p.resolve("-bad.example")).isNull();
    }

    @Test
    void serverNameIsAssumedWithoutSni() {
        assertThat(new HostPolicy(List.of("www.example.com"), "www.example.com").resolve(null))
                .isEqualTo("www.example.com");
        assertThat(new HostPolicy(List.of("www.example.com"), "www.example.com").resolve(""))
                .isEqualTo("www.example.com");
        assertThat(new HostPolicy(List.of("www.example.com"), "").resolve(null)).isNull();
        // the assumed name is still subject to the whitelist
        assertThat(new HostPolicy(List.of("www.example.com"), "other.example.com").resolve(null)).isNull();
    }

    /**
     * A TLS client chooses its server name, up to 64 KiB in a ClientHello: a name of many short labels made the
     * pattern's matching recurse once per label (a StackOverflowError for 4,000 characters); names beyond DNS's
     * limits (253 characters, 63 per label) are refused before any matching, as a CA would refuse them.
     */
    @Test
    void namesBeyondDnsLimitsAreRefusedBeforeMatching() {
        HostPolicy p = new HostPolicy(List.of(), "");
        assertThat(p.resolve("ab.".repeat(20_000) + "a-")).isNull();
        assertThat(p.resolve("ab.".repeat(20_000) + "com")).isNull();
        assertThat(p.resolve("a".repeat(64) + ".example")).isNull();
        assertThat(p.resolve("a".repeat(63) + ".example")).isEqualTo("a".repeat(63) + ".example");
        String longest = ("a".repeat(61) + ".").repeat(4) + "a"; // 249 characters
        assertThat(p.resolve(longest)).isEqualTo(longest);
        assertThat(p.resolve(longest + "aaaaa")).as("254 characters").isNull();
    }
}
