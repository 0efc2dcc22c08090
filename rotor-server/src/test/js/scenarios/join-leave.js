'use strict';
// Two clients on one join_leave channel: A subscribes first, then B subscribes (A sees B's join), then B leaves by
// `leaveBy` ("disconnect", the default, or "unsubscribe") and A sees B's leave.
// Params: url, credentials of A at top level, second: credentials of B, channel, leaveBy.
// Events (who = A or B): connect, subscribe, join {channel, body}, leave {channel, body}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p);
    var b = h.client('B', p.url, p.second);
    var bClient;
    b.allowDisconnect = true;
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe of A failed: ' + JSON.stringify(ev));
        }
        return b.connect();
    }).then(function (ev) {
        bClient = ev.client;
        return b.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe of B failed: ' + JSON.stringify(ev));
        }
        return h.waitFor(function (e) {
            return e.event === 'join' && e.who === 'A' && e.body.data && e.body.data.client === bClient;
        }, 'join of B seen by A');
    }).then(function () {
        if (p.leaveBy === 'unsubscribe') {
            b.subs[p.channel].unsubscribe();
        } else {
            b.cf.disconnect();
        }
        return h.waitFor(function (e) {
            return e.event === 'leave' && e.who === 'A' && e.body.data && e.body.data.client === bClient;
        }, 'leave of B seen by A');
    });
});
