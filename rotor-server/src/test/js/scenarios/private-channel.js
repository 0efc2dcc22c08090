'use strict';
// Subscribes to a private ($) channel: the client asks `authEndpoint` (served by the Java test) for the sign, then
// subscribes with client, info and sign. Optionally asks presence, then waits for `count` messages published by the
// Java test after the subscribe event.
// Params: url, credentials, channel, authEndpoint, presence?, count (default 0), expectSubscribeError?.
// Events: connect, subscribe | subscribe_error {error, advice}, presence {body}, message {channel, body}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p, {authEndpoint: p.authEndpoint});
    var count = p.count || 0;
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event === 'subscribe_error') {
            if (p.expectSubscribeError) {
                return undefined;
            }
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        if (p.expectSubscribeError) {
            throw new Error('expected the subscription to be refused, got ' + JSON.stringify(ev));
        }
        return (p.presence ? a.call(p.channel, 'presence') : Promise.resolve()).then(function () {
            return h.waitCount(h.is('message', {who: 'A', channel: p.channel}), count, count + ' messages');
        });
    });
});
