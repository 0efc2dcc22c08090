/**
 * The unidirectional Server-Sent Events endpoint {@code <http_prefix>/connection/uni_sse} (beyond v1, docs/sse.md):
 * the endpoint that checks a request, the per-connection handler that connects and subscribes the core session and
 * starts the stream, the transport that frames each push as an event, and the event ids that let the browser's
 * {@code Last-Event-ID} recover every channel. The queue and back-pressure are shared with the other transports
 * ({@code transport}); the client protocol itself is the core's.
 */
package dev.rotor.server.sse;
