package dev.rotor.server.websocket;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

/**
 * Netty's extension negotiation with one extension, permessage-deflate ({@code websocket_compression}), that can
 * also say ahead of the handshake whether a request will get it: the frame decoder must accept reserved bits only
 * on a connection where the extension is in use (RFC 6455 §5.2), and the decoder is built before the handshake
 * response passes this handler. Confined to the channel's event loop, like its parent.
 */
public final class DeflateExtensionHandler extends WebSocketServerExtensionHandler {
    private final PerMessageDeflateServerExtensionHandshaker handshaker;

    public DeflateExtensionHandler(PerMessageDeflateServerExtensionHandshaker handshaker) {
        super(handshaker);
        this.handshaker = handshaker;
    }

    /**
     * True when the upgrade response to {@code request} will carry permessage-deflate. The parent keeps the first
     * offer its handshaker accepts (later ones would claim the same reserved bit), so with one handshaker the
     * extension is in use exactly when some offer is accepted; the handshaker is stateless, so asking it twice is
     * safe.
     */
    public boolean negotiates(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        if (header == null) {
            return false;
        }
        for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(header)) {
            if (handshaker.handshakeExtension(offer) != null) {
                return true;
            }
        }
        return false;
    }
}
