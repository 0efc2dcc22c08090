package dev.rotor.server.acme;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.Test;

/** Recognising RFC 8737 validation handshakes in ClientHellos that the JDK's TLS client really produces. */
class AutocertSniHandlerTest {

    @Test
    void onlyAHelloOfferingExactlyAcmeTls1IsAValidationRequest() throws Exception {
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(clientHello("acme-tls/1"))).isTrue();
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(clientHello("http/1.1"))).isFalse();
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(clientHello("h2", "acme-tls/1"))).isFalse();
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(clientHello())).isFalse();
    }

    @Test
    void truncatedOrGarbageInputIsNoValidationRequest() throws Exception {
        ByteBuf hello = clientHello("acme-tls/1");
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(hello.slice(0, 40))).isFalse();
        assertThat(AutocertSniHandler.offersOnlyAcmeTls(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}))).isFalse();
    }

    /** The ClientHello body as Netty's SNI handler hands it over: without the record and handshake headers. */
    private static ByteBuf clientHello(String... alpn) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        SSLEngine engine = ctx.createSSLEngine("www.example.com", 443);
        engine.setUseClientMode(true);
        SSLParameters params = engine.getSSLParameters();
        params.setApplicationProtocols(alpn);
        engine.setSSLParameters(params);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        ByteBuf record = Unpooled.wrappedBuffer(out);
        assertThat(record.getUnsignedByte(0)).as("handshake record").isEqualTo((short) 22);
        assertThat(record.getUnsignedByte(5)).as("ClientHello").isEqualTo((short) 1);
        int length = record.getUnsignedMedium(6);
        return record.slice(9, length);
    }
}
