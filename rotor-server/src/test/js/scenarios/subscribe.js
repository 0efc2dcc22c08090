'use strict';
// Connects, subscribes to `channel`, then waits for `count` messages that the Java test publishes through the
// HTTP API once it has seen the subscribe event.
// Params: url, credentials, channel, count (default 1), waitMs (how long to wait for them, default 15000; a
// long wait keeps the client subscribed for a test that watches it from elsewhere).
// Events: connect, subscribe {channel, isResubscribe, recovered}, message {channel, body}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p);
    var count = p.count === undefined ? 1 : p.count;
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        return h.waitCount(h.is('message', {who: 'A', channel: p.channel}), count, count + ' messages', p.waitMs);
    });
});
