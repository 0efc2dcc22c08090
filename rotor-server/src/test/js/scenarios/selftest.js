'use strict';
// Proves the harness itself: centrifuge@1.5.0 loads under Node with the WebSocket and XMLHttpRequest globals in
// place. Params: {fail?: message to fail with, hang?: true to never finish, waitCommand?: name to wait for}.
var h = require('../lib/harness');

h.run(function (p) {
    if (p.fail) {
        throw new Error(p.fail);
    }
    var probe = new h.Centrifuge({
        url: 'ws://127.0.0.1:1/connection/websocket', user: 'u', timestamp: '1', token: 't'
    });
    h.emit('loaded', {
        centrifugeVersion: require('centrifuge/package.json').version,
        wsVersion: require('ws/package.json').version,
        constructor: typeof h.Centrifuge,
        websocketSupported: probe._websocketSupported(),
        xmlHttpRequest: typeof global.XMLHttpRequest,
        node: process.version
    });
    if (p.hang) {
        return new Promise(function () {
        });
    }
    if (p.waitCommand) {
        return h.command(p.waitCommand, 5000).then(function () {
            h.emit('acknowledged', {name: p.waitCommand});
        });
    }
    return undefined;
});
