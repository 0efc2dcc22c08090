'use strict';
// Connects to a server with a short connection_lifetime; the client refreshes its credentials through
// `refreshEndpoint` (served by the Java test) every ttl seconds. After `refreshes` successful refresh replies it
// emits "refreshed" and waits for `count` messages on `channel` published by the Java test. Any disconnect fails.
// Params: url, credentials, refreshEndpoint, channel, refreshes (default 2), count (default 1).
// Events: connect_reply {reply}, connect, subscribe, refresh_reply {reply}, refreshed, message {channel, body}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p, {refreshEndpoint: p.refreshEndpoint});
    var refreshes = p.refreshes || 2;
    var count = p.count === undefined ? 1 : p.count;
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        return h.waitCount(function (e) {
            return e.event === 'refresh_reply' && e.who === 'A' && !e.reply.error && e.reply.body
                && e.reply.body.expired === false;
        }, refreshes, refreshes + ' successful refresh replies');
    }).then(function () {
        h.emit('refreshed', {who: 'A'});
        return h.waitCount(h.is('message', {who: 'A', channel: p.channel}), count, count + ' messages');
    });
});
