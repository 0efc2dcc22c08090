/**
 * The SockJS 0.3.3 server at {@code <http_prefix>/connection} (client-protocol.md §1.2, §7, §9): greeting, info,
 * iframe page, the session registry and every session transport (websocket, xhr, xhr_streaming, eventsource,
 * htmlfile, jsonp). Each SockJS session is a {@link dev.rotor.transport.Transport} of the core, named
 * {@code sockjs}: it frames each drain of its {@link dev.rotor.server.transport.Outbound} as one {@code a[...]}
 * frame for the receiving request attached at the time, and keeps frames queued between requests. The raw WebSocket
 * endpoint lives in {@code websocket}.
 */
package dev.rotor.server.sockjs;
