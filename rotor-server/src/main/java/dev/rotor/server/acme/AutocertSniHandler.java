package dev.rotor.server.acme;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.Future;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * The TLS handler of one connection under {@code ssl_autocert}: reads the ClientHello, serves the tls-alpn-01
 * challenge certificate when the client offers only the {@code acme-tls/1} protocol for a host under validation,
 * and otherwise the host's certificate from {@link Autocert} (an async mapping, so the event loop never waits for
 * an issuance). Not shared: one instance per channel, used on its event loop only.
 */
public final class AutocertSniHandler extends SniHandler {
    static final String ACME_TLS_1 = "acme-tls/1";
    private static final int EXT_ALPN = 16;

    private final Autocert autocert;
    /** Set by the ClientHello lookup, read right after on the same thread. */
    private boolean acmeTls;

    public AutocertSniHandler(Autocert autocert) {
        super(autocert);
        this.autocert = autocert;
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) throws Exception {
        acmeTls = offersOnlyAcmeTls(clientHello);
        return super.lookup(ctx, clientHello);
    }

    @Override
    protected Future<SslContext> lookup(ChannelHandlerContext ctx, String hostname) throws Exception {
        if (acmeTls) {
            String host = autocert.host(hostname);
            Optional<SslContext> challenge = host == null ? Optional.empty() : autocert.challenges().tlsAlpn(host);
            return challenge.isPresent() ? ctx.executor().newSucceededFuture(challenge.get())
                    : ctx.executor().newFailedFuture(new SSLException("no tls-alpn-01 challenge pending for "
                    + hostname));
        }
        return super.lookup(ctx, hostname);
    }

    /**
     * Whether the ALPN extension of a ClientHello body (from the client version on, as Netty hands it over) lists
     * exactly {@code acme-tls/1}, as RFC 8737 validation requests do. Malformed input yields false.
     */
    static boolean offersOnlyAcmeTls(ByteBuf hello) {
        try {
            int i = hello.readerIndex() + 34; // client_version + random
            int end = hello.writerIndex();
            i += 1 + hello.getUnsignedByte(i); // session id
            i += 2 + hello.getUnsignedShort(i); // cipher suites
            i += 1 + hello.getUnsignedByte(i); // compression methods
            int extEnd = Math.min(end, i + 2 + hello.getUnsignedShort(i));
            i += 2;
            while (i + 4 <= extEnd) {
                int type = hello.getUnsignedShort(i);
                int len = hello.getUnsignedShort(i + 2);
                i += 4;
                if (type == EXT_ALPN) {
                    int listLen = hello.getUnsignedShort(i);
                    int nameLen = hello.getUnsignedByte(i + 2);
                    return listLen == nameLen + 1 && ACME_TLS_1.equals(
                            hello.toString(i + 3, nameLen, StandardCharsets.US_ASCII));
                }
                i += len;
            }
            return false;
        } catch (IndexOutOfBoundsException e) {
            return false;
        }
    }
}
