package dev.rotor.server;

import dev.rotor.testkit.SockJsTestClient;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The whole client protocol over each SockJS transport, with the same replies as over the raw WebSocket. */
class SockJsClientProtocolIT extends SockJsSupport {

    @ParameterizedTest
    @EnumSource(SockJsTestClient.Transport.class)
    void connectSubscribePublishPresenceHistoryAndPing(SockJsTestClient.Transport transport) throws Exception {
        start(25);
        fullProtocol(open(transport));
    }
}
