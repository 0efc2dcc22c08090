/**
 * A driver for Debian's headless Chromium over W3C WebDriver ({@code chromedriver}), used by the end-to-end tests
 * that run the real v1 JavaScript client and Rotor's admin web interface in a browser: navigation, scripts,
 * screenshots, window size and DevTools emulation. No page logic lives here: tests bring their own pages.
 */
package dev.rotor.testkit.browser;
