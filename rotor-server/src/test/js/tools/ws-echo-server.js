'use strict';
// A tiny WebSocket server (the ws package) on 127.0.0.1 used to test dev.rotor.testkit.WsTestClient.
// Emits listening {port}; for each connection: connection {path}, received {data, binary}, pong {data},
// closed {code, reason}. Text "close" -> close 3000 with a v1 advice reason; "drop" -> TCP close without a close
// frame; "ping" -> a ping frame with payload "ping"; anything else is echoed. Stops on the "stop" command.
var h = require('../lib/harness');
var WebSocketServer = require('ws').WebSocketServer;

h.run(function (p) {
    var wss = new WebSocketServer({host: '127.0.0.1', port: 0});
    wss.on('connection', function (ws, req) {
        h.emit('connection', {path: req.url});
        ws.on('pong', function (data) {
            h.emit('pong', {data: data.toString()});
        });
        ws.on('message', function (data, isBinary) {
            var text = data.toString();
            h.emit('received', {data: text, binary: isBinary});
            if (isBinary) {
                ws.send(data, {binary: true});
            } else if (text === 'close') {
                ws.close(3000, '{"reason":"test","reconnect":false}');
            } else if (text === 'drop') {
                ws.terminate();
            } else if (text === 'ping') {
                ws.ping('ping');
            } else {
                ws.send(text);
            }
        });
        ws.on('close', function (code, reason) {
            h.emit('closed', {code: code, reason: reason.toString()});
        });
    });
    return new Promise(function (resolve, reject) {
        wss.on('listening', resolve);
        wss.on('error', reject);
    }).then(function () {
        h.emit('listening', {port: wss.address().port});
        return h.command('stop', p.timeoutMs);
    });
});
