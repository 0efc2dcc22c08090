'use strict';
// Connects, subscribes to `channel` and asks for its presence.
// Params: url, credentials, channel. Events: connect, subscribe, presence {body} | presence_error {error, advice}.
var h = require('../lib/harness');

h.run(function (p) {
    var a = h.client('A', p.url, p);
    return a.connect().then(function () {
        return a.subscribe(p.channel);
    }).then(function (ev) {
        if (ev.event !== 'subscribe') {
            throw new Error('subscribe failed: ' + JSON.stringify(ev));
        }
        return a.call(p.channel, 'presence');
    });
});
