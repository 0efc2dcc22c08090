// The browser scenario of the end-to-end tests: the real Centrifugo v1 client (centrifuge@1.5.0), over raw
// WebSocket or over sockjs-client with one forced transport, against a Rotor server.
//
// Contract with the Java side (dev.rotor.e2e.browser.ScenarioPage):
// - the test calls rotor.start(params) once; params: url, sockjs (bool), transport (SockJS transport name or null),
//   alice and bob ({user, timestamp, info, token}), authEndpoint, timeoutMs;
// - the page records events {event: name, ...fields}; rotor.take() returns the ones not returned before;
// - at each "ready" event ({step: "publish" | "private" | "disconnect"}) the test acts through the HTTP API;
// - the run ends with {event: "done"} or {event: "fail", message}; every wait is bounded.
(function () {
    'use strict';

    var WAIT_MS = 30000;
    var events = [];
    var taken = 0;
    var waiters = [];
    var finished = false;

    function emit(event, fields) {
        if (finished) {
            return;
        }
        var ev = Object.assign({event: event}, fields || {});
        events.push(ev);
        waiters.slice().forEach(function (w) {
            w(ev);
        });
    }

    function fail(err) {
        emit('fail', {message: err && err.stack ? err.stack : String(err)});
        finished = true;
    }

    window.addEventListener('error', function (e) {
        emit('page_error', {message: String(e.message), source: String(e.filename) + ':' + e.lineno});
    });
    window.addEventListener('unhandledrejection', function (e) {
        emit('page_error', {message: String(e.reason && e.reason.stack ? e.reason.stack : e.reason)});
    });

    /** Resolves with the first n events matching pred (already recorded ones included); rejects after ms. */
    function waitCount(pred, n, what, ms) {
        return new Promise(function (resolve, reject) {
            var matches = events.filter(pred);
            if (matches.length >= n) {
                resolve(matches.slice(0, n));
                return;
            }
            var timer;
            var waiter = function (ev) {
                if (pred(ev)) {
                    matches.push(ev);
                    if (matches.length >= n) {
                        clearTimeout(timer);
                        waiters.splice(waiters.indexOf(waiter), 1);
                        resolve(matches.slice(0, n));
                    }
                }
            };
            timer = setTimeout(function () {
                waiters.splice(waiters.indexOf(waiter), 1);
                reject(new Error('timed out after ' + (ms || WAIT_MS) + ' ms waiting for ' + what + ' (got '
                    + matches.length + ' of ' + n + ')'));
            }, ms || WAIT_MS);
            waiters.push(waiter);
        });
    }

    function waitFor(pred, what) {
        return waitCount(pred, 1, what).then(function (found) {
            return found[0];
        });
    }

    function is(event, fields) {
        return function (ev) {
            if (ev.event !== event) {
                return false;
            }
            return Object.keys(fields).every(function (k) {
                return ev[k] === fields[k];
            });
        };
    }

    /** A client labelled who; its events carry who. A disconnect fails the run unless allowDisconnect is set. */
    function client(who, p, creds) {
        var options = {
            url: p.url,
            user: creds.user,
            timestamp: creds.timestamp,
            info: creds.info,
            token: creds.token,
            authEndpoint: p.authEndpoint,
            retry: 500,
            maxRetry: 2000,
            onTransportClose: function (ctx) {
                emit('transport_close', {who: who, code: ctx.event ? ctx.event.code : null});
            }
        };
        if (p.sockjs) {
            options.sockJS = window.SockJS;
            options.transports = [p.transport];
        }
        var cf = new window.Centrifuge(options);
        var w = {who: who, cf: cf, allowDisconnect: false, subs: {}};
        cf.on('connect', function (ctx) {
            // ctx.transport is what the client reports; sockjs is read from the sockjs-client object itself.
            emit('connect', {
                who: who, client: ctx.client, transport: ctx.transport,
                sockjs: p.sockjs ? cf._transport.transport : null
            });
        });
        cf.on('disconnect', function (ctx) {
            emit('disconnect', {who: who, reason: ctx.reason, reconnect: ctx.reconnect});
            if (!w.allowDisconnect) {
                fail(new Error('client ' + who + ' disconnected unexpectedly: ' + JSON.stringify(ctx)));
            }
        });
        w.connect = function () {
            cf.connect();
            return waitFor(is('connect', {who: who}), 'connect of ' + who);
        };
        w.subscribe = function (channel) {
            var handler = function (name) {
                return function (m) {
                    emit(name, {who: who, channel: channel, body: m});
                };
            };
            w.subs[channel] = cf.subscribe(channel, {
                message: handler('message'),
                join: handler('join'),
                leave: handler('leave'),
                subscribe: function (ctx) {
                    emit('subscribe', {who: who, channel: ctx.channel});
                },
                error: function (err) {
                    emit('subscribe_error', {who: who, channel: err.channel, error: err.error});
                }
            });
            return waitFor(function (ev) {
                return (ev.event === 'subscribe' || ev.event === 'subscribe_error') && ev.who === who
                    && ev.channel === channel;
            }, 'subscribe of ' + who + ' to ' + channel).then(function (ev) {
                if (ev.event !== 'subscribe') {
                    throw new Error('subscribe failed: ' + JSON.stringify(ev));
                }
                return ev;
            });
        };
        /** Calls publish, presence or history on a subscription and records the reply body (or fails). */
        w.call = function (channel, name, arg) {
            return w.subs[channel][name](arg).then(function (body) {
                emit(name, {who: who, channel: channel, body: body});
                return body;
            }, function (err) {
                throw new Error(name + ' on ' + channel + ' failed: ' + JSON.stringify(err));
            });
        };
        return w;
    }

    function messages(channel, n) {
        return waitCount(is('message', {who: 'A', channel: channel}), n, n + ' messages on ' + channel);
    }

    async function scenario(p) {
        var a = client('A', p, p.alice);
        var b = client('B', p, p.bob);
        await a.connect();
        await a.subscribe('news');
        await b.connect();
        await b.subscribe('news');
        await waitFor(function (ev) {
            return ev.event === 'join' && ev.who === 'A' && ev.body.data.user === p.bob.user;
        }, 'join of B seen by A');

        emit('ready', {step: 'publish'});
        await messages('news', 2);
        await a.call('news', 'publish', {input: 'hello from the browser'});
        await messages('news', 3);
        await a.call('news', 'presence');
        await a.call('news', 'history');
        b.subs.news.unsubscribe();
        await waitFor(is('leave', {who: 'A', channel: 'news'}), 'leave of B seen by A');
        b.allowDisconnect = true;
        b.cf.disconnect();

        await a.subscribe('$private');
        emit('ready', {step: 'private'});
        await messages('$private', 1);

        a.allowDisconnect = true;
        emit('ready', {step: 'disconnect'});
        await waitFor(is('disconnect', {who: 'A'}), 'disconnect of A');
        await waitFor(is('transport_close', {who: 'A'}), 'transport close of A');
    }

    window.rotor = {
        start: function (p) {
            var deadline = setTimeout(function () {
                fail(new Error('scenario deadline of ' + p.timeoutMs + ' ms passed'));
            }, p.timeoutMs);
            scenario(p).then(function () {
                clearTimeout(deadline);
                emit('done');
                finished = true;
            }, fail);
        },
        /** The events recorded since the previous call. */
        take: function () {
            var fresh = events.slice(taken);
            taken = events.length;
            return fresh;
        }
    };
}());
