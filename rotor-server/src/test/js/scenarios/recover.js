'use strict';
// Message recovery after a dropped connection (channel option recover + history):
// 1. connect, subscribe to `channel`, wait for `before` messages published by the Java test (default 1);
// 2. drop the TCP connection without a close handshake, emit the client's disconnect event;
// 3. wait for the "reconnect" command on stdin (the Java test publishes the missed messages first);
// 4. reconnect; the client resubscribes with recover=true and last=<uid of the last message seen>, and must get the
//    missed messages back; wait until `before + missed` messages in total and the second subscribe event.
// Params: url, credentials, channel, before (default 1), missed (default 2).
// Events: connect, subscribe (twice), message, disconnect {reason, reconnect}, command {name: "reconnect"}.
var h = require('../lib/harness');

h.run(function (p) {
    // A long retry keeps the client's own reconnect timer out of the way; the script reconnects on command.
    var a = h.client('A', p.url, p, {retry: 60000, maxRetry: 60000});
    var before = p.before === undefined ? 1 : p.before;
    var missed = p.missed === undefined ? 2 : p.missed;
    var isMessage = h.is('message', {who: 'A', channel: p.channel});
    a.allowDisconnect = true;
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        return h.waitCount(isMessage, before, before + ' messages before the drop');
    }).then(function () {
        var since = h.mark();
        a.drop();
        return h.waitFor(h.is('disconnect', {who: 'A'}), 'disconnect after the drop', undefined, since);
    }).then(function () {
        return h.command('reconnect');
    }).then(function () {
        return a.connect();
    }).then(function () {
        return a.subscribed(p.channel, 2);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('resubscribe failed: ' + JSON.stringify(ev));
        }
        return h.waitCount(isMessage, before + missed, (before + missed) + ' messages in total');
    });
});
