'use strict';
// Connects with the given credentials and stops at the first connect or disconnect.
// Params: url, user, timestamp, info, token, expectDisconnect? (a bad token is expected to be refused).
// Events: connect_reply {reply}, connect {client, transport} | disconnect {reason, reconnect}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p);
    a.allowDisconnect = p.expectDisconnect === true;
    a.cf.connect();
    return h.waitFor(function (ev) {
        return ev.who === 'A' && (ev.event === 'connect' || ev.event === 'disconnect');
    }, 'connect or disconnect').then(function (ev) {
        if (p.expectDisconnect && ev.event !== 'disconnect') {
            throw new Error('expected the server to refuse the connection, got ' + JSON.stringify(ev));
        }
    });
});
