'use strict';
// Connects, subscribes to `channel` and publishes `data` from the client. On success it also waits for its own
// message push. Params: url, credentials, channel, data.
// Events: connect, subscribe, publish {body} | publish_error {error, advice}, message {channel, body}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p);
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        return a.call(p.channel, 'publish', p.data);
    }).then(function (result) {
        if (result.event === 'publish') {
            return h.waitFor(h.is('message', {who: 'A', channel: p.channel}), 'own published message');
        }
        return undefined;
    });
});
