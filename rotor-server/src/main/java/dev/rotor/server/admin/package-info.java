/**
 * The admin side of a node (admin-and-web.md): the admin WebSocket {@code /socket} that runs API commands (plus
 * {@code node_live}, beyond v1) and streams watch messages (a Netty handler), web login at {@code /auth/}
 * ({@link dev.rotor.server.admin.AdminLogin}), and the web interface ({@link dev.rotor.server.admin.WebAppResources}):
 * the files of {@code web_path}, or else Rotor's own interface embedded in the jar ({@link
 * dev.rotor.server.admin.EmbeddedWebApp}, resources under {@code web/} beside these classes; docs/admin.md). The
 * port's router calls login and the web interface with each request.
 */
package dev.rotor.server.admin;
