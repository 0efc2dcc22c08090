package dev.rotor.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.protocol.Method.Surface;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The method table: which names each surface accepts (client-protocol.md §5, http-api.md §4, rubycent-wire.md). */
class MethodTest {

    @Test
    void eachSurfaceAcceptsExactlyItsMethods() {
        assertThat(accepted(Surface.CLIENT)).containsExactlyInAnyOrder(
                "connect", "refresh", "subscribe", "unsubscribe", "publish", "presence", "history", "ping");
        assertThat(accepted(Surface.API_V1)).containsExactlyInAnyOrder(
                "publish", "broadcast", "unsubscribe", "disconnect", "presence", "history", "channels", "stats", "node");
        assertThat(accepted(Surface.API_V2)).containsExactlyInAnyOrder("publish", "broadcast", "unsubscribe",
                "disconnect", "presence", "history", "channels", "presence_stats", "info");
        assertThat(accepted(Surface.API_QUEUE)).containsExactlyInAnyOrder(
                "publish", "broadcast", "unsubscribe", "disconnect");
        assertThat(accepted(Surface.CONTROL)).containsExactlyInAnyOrder("ping", "unsubscribe", "disconnect");
    }

    @Test
    void adminSocketAcceptsTheV1ApiPlusItsOwnMethods() {
        Set<String> admin = accepted(Surface.ADMIN);
        assertThat(admin).containsAll(accepted(Surface.API_V1));
        admin.removeAll(accepted(Surface.API_V1));
        assertThat(admin).containsExactlyInAnyOrder("connect", "ping", "info", "node_live");
    }

    @Test
    void namesMatchCaseSensitivelyAndUnknownNamesAreNotFound() {
        assertThat(Method.find("publish", Surface.CLIENT)).isEqualTo(Method.PUBLISH);
        assertThat(Method.find("presence_stats", Surface.API_V2)).isEqualTo(Method.PRESENCE_STATS);
        assertThat(Method.find("Publish", Surface.CLIENT)).isNull();
        assertThat(Method.find("", Surface.CLIENT)).isNull();
        assertThat(Method.find("broadcast", Surface.CLIENT)).isNull();
        assertThat(Method.find("stats", Surface.API_V2)).isNull();
        assertThat(Method.find("nope", Surface.ADMIN)).isNull();
    }

    private static Set<String> accepted(Surface surface) {
        return Arrays.stream(Method.values()).filter(m -> m.on(surface)).map(Method::wire)
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
