/**
 * A driver for Debian's headless Chromium over W3C WebDriver ({@code chromedriver}), used by the end-to-end tests
 * that run the real v1 JavaScript client in a browser. No page logic lives here: tests bring their own pages.
 */
package dev.rotor.testkit.browser;
