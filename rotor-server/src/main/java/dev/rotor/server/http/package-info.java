/**
 * Plain HTTP endpoints: the server API at {@code /api/} (http-api.md) and Go-compatible error responses.
 */
package dev.rotor.server.http;
