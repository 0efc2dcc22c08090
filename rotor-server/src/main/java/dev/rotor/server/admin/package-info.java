/**
 * The admin side of a node (admin-and-web.md): the admin WebSocket {@code /socket} that runs API commands and
 * streams watch messages, web login at {@code /auth/}, and the static web interface from {@code web_path}.
 */
package dev.rotor.server.admin;
