/**
 * The admin side of a node (admin-and-web.md): the admin WebSocket {@code /socket} that runs API commands (plus
 * {@code node_live}, beyond v1) and streams watch messages, web login at {@code /auth/}, and the web interface:
 * the files of {@code web_path}, or else Rotor's own interface embedded in the jar ({@link
 * dev.rotor.server.admin.EmbeddedWebApp}, resources under {@code web/} beside these classes; docs/admin.md).
 */
package dev.rotor.server.admin;
