package dev.rotor.e2e.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real v1 JavaScript client ({@code centrifuge@1.5.0} with {@code sockjs-client} 1.6.1) in headless Chromium
 * over Rotor's SockJS endpoint {@code /connection}, with each SockJS transport forced in turn (the client's
 * {@code transports} option): the full scenario of {@link BrowserScenarioSupport}, plus proof that the transport
 * was really used, from both ends. In the page, sockjs-client names the transport it ended up on; on the server
 * side, the requests it received show which session routes (client-protocol.md §1.2) served the session.
 */
class BrowserSockJsIT extends BrowserScenarioSupport {
    /** {@code /connection/{server}/{session}/{route}}, with an optional query ({@code ?c=} callbacks). */
    private static final Pattern SESSION_ROUTE = Pattern.compile("/connection/[^/.]+/[^/.]+/([a-z_]+)(\\?.*)?");
    private static final Pattern IFRAME_PAGE = Pattern.compile("/connection/iframe[^/]*\\.html(\\?.*)?");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            // transport,      receiving route, sending route, through the iframe page
            "websocket,          websocket,     ,              false",
            "xhr-streaming,      xhr_streaming, xhr_send,      false",
            "xhr-polling,        xhr,           xhr_send,      false",
            "eventsource,        eventsource,   xhr_send,      false",
            "iframe-eventsource, eventsource,   xhr_send,      true",
            "iframe-htmlfile,    htmlfile,      xhr_send,      true",
            "iframe-xhr-polling, xhr,           xhr_send,      true",
            "jsonp-polling,      jsonp,         jsonp_send,    false",
    })
    void v1ClientInChromiumUsesEveryFeatureOverSockJs(String transport, String receive, String send, boolean iframe)
            throws Exception {
        startServers();

        runScenario("http://" + serverBase() + "/connection", transport, transport);

        List<RecordingProxy.Exchange> exchanges = proxy.exchanges();
        Set<String> routes = new TreeSet<>();
        for (RecordingProxy.Exchange e : exchanges) {
            Matcher m = SESSION_ROUTE.matcher(e.path());
            if (m.matches()) {
                routes.add(m.group(1));
            }
        }
        Set<String> expected = new TreeSet<>(send == null ? Set.of(receive) : Set.of(receive, send));
        assertThat(routes).as("SockJS session routes the server received: %s", exchanges).isEqualTo(expected);
        int served = receive.equals("websocket") ? 101 : 200;
        assertThat(exchanges).as("the %s route answered %d", receive, served).anySatisfy(e -> {
            Matcher m = SESSION_ROUTE.matcher(e.path());
            assertThat(m.matches() && m.group(1).equals(receive) && e.status() == served).isTrue();
        });
        assertThat(exchanges).as("the info request").anySatisfy(e -> {
            assertThat(e.path()).startsWith("/connection/info");
            assertThat(e.status()).isEqualTo(200);
        });
        assertThat(exchanges.stream().anyMatch(e -> IFRAME_PAGE.matcher(e.path()).matches()))
                .as("iframe page requested: %s", exchanges).isEqualTo(iframe);
        assertThat(exchanges).as("no raw WebSocket endpoint use")
                .noneMatch(e -> e.path().equals("/connection/websocket"));
    }
}
