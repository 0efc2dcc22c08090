/**
 * Headless Chromium against in-process Rotor servers. The real v1 JavaScript client ({@code centrifuge@1.5.0},
 * {@code sockjs-client} 1.x) over raw WebSocket and each SockJS transport forced one at a time, from a test page and
 * scenario script under the {@code browser/} test resources; and Rotor's embedded admin web interface, driven
 * through its own page ({@code AdminWebPage}), whose {@code AdminScreenshotsIT} also writes the pictures of
 * docs/admin.md when {@code bin/screenshots} asks for them.
 */
package dev.rotor.e2e.browser;
