/**
 * The admin side of a node (admin-and-web.md): the admin WebSocket {@code /socket} that runs API commands and
 * streams watch messages (a Netty handler), web login at {@code /auth/} ({@link dev.rotor.server.admin.AdminLogin})
 * and the static web interface from {@code web_path} ({@link dev.rotor.server.admin.WebAppResources}); the port's
 * router calls the last two with each request.
 */
package dev.rotor.server.admin;
