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
}
