/**
 * Headless Chromium running the real v1 JavaScript client ({@code centrifuge@1.5.0}, {@code sockjs-client} 1.x)
 * against an in-process Rotor server: raw WebSocket and each SockJS transport forced one at a time. The page and
 * its scenario script are test resources under {@code browser/}.
 */
package dev.rotor.e2e.browser;
