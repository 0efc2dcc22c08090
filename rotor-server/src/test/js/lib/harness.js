'use strict';
// Shared plumbing for the scenario scripts that drive the real Centrifugo v1 JavaScript client (centrifuge@1.5.0)
// under Node against a Rotor server.
//
// Contract with the Java side (dev.rotor.testkit.NodeScript):
// - argv[2] is one JSON object of parameters (url, user, timestamp, info, token, timeoutMs, scenario fields);
// - stdout carries only JSON lines, one per event: {"event":"<name>", ...fields}; console output of the client
//   library goes to stderr;
// - stdin carries plain-text commands, one per line (e.g. "reconnect"), recorded as {"event":"command"};
// - success ends with {"event":"done"} and exit code 0; failure with {"event":"fail","message":...} and exit
//   code 1; every wait is bounded and the whole script has a deadline (timeoutMs, default 15000).

var util = require('util');
var readline = require('readline');
var WS = require('ws');
var XMLHttpRequest = require('./xhr');

// stdout is reserved for JSON lines; the client library logs through console.info/console.debug.
['log', 'info', 'debug', 'warn', 'error'].forEach(function (level) {
    console[level] = function () {
        process.stderr.write(util.format.apply(util, arguments) + '\n');
    };
});

var DEFAULT_TIMEOUT_MS = 15000;

var recorded = [];          // every emitted event, in order
var waiters = new Set();    // functions called with each newly recorded event
var clients = [];           // wrappers created by client(), used to label WebSocket frames
var finished = false;       // true once done() or fail() ran; nothing is emitted afterwards
var tapFrames = false;      // emit frame_in / frame_out events (params.tap)

function emit(event, fields) {
    if (finished) {
        return;
    }
    var ev = Object.assign({event: event}, fields || {});
    process.stdout.write(JSON.stringify(ev) + '\n');
    recorded.push(ev);
    waiters.forEach(function (w) {
        w(ev);
    });
}

function exit(code) {
    finished = true;
    // stdout is a pipe: writes are synchronous on Linux, so nothing is lost by exiting now.
    process.exit(code);
}

function fail(message) {
    if (finished) {
        return;
    }
    var text = message instanceof Error ? (message.stack || message.message) : String(message);
    emit('fail', {message: message instanceof Error ? message.message : String(message)});
    process.stderr.write('scenario failed: ' + text + '\n');
    exit(1);
}

function done() {
    if (finished) {
        return;
    }
    emit('done');
    exit(0);
}

process.on('uncaughtException', fail);
process.on('unhandledRejection', fail);

/** Parses the JSON parameters from argv[2] (or the ROTOR_SCENARIO environment variable). */
function params() {
    var raw = process.argv[2] || process.env.ROTOR_SCENARIO;
    if (!raw) {
        fail('usage: node ' + process.argv[1] + ' \'{"url":"ws://127.0.0.1:8000/connection/websocket",...}\'');
    }
    var p;
    try {
        p = JSON.parse(raw);
    } catch (e) {
        fail('parameters are not JSON: ' + e.message);
    }
    if (typeof p.timeoutMs !== 'number') {
        p.timeoutMs = DEFAULT_TIMEOUT_MS;
    }
    return p;
}

/**
 * Resolves with the first recorded event matching pred, including events recorded before the call unless since
 * (an index into the recorded events, see mark()) says where to start; bounded by ms.
 */
function waitFor(pred, what, ms, since) {
    return waitCount(pred, 1, what, ms, since).then(function (events) {
        return events[0];
    });
}

/** Resolves with the first n recorded events (from index since, default 0) matching pred; rejects after ms. */
function waitCount(pred, n, what, ms, since) {
    var timeout = ms || DEFAULT_TIMEOUT_MS;
    return new Promise(function (resolve, reject) {
        var matches = recorded.slice(since || 0).filter(pred);
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
                    waiters.delete(waiter);
                    resolve(matches.slice(0, n));
                }
            }
        };
        timer = setTimeout(function () {
            waiters.delete(waiter);
            reject(new Error('timed out after ' + timeout + ' ms waiting for ' + what + ' (got ' + matches.length
                + ' of ' + n + ')'));
        }, timeout);
        waiters.add(waiter);
    });
}

/** The number of events recorded so far: pass it as `since` to wait only for later events. */
function mark() {
    return recorded.length;
}

/** Matches an event by name and by a subset of its fields (strict equality). */
function is(event, fields) {
    return function (ev) {
        if (ev.event !== event) {
            return false;
        }
        for (var k in fields) {
            if (Object.prototype.hasOwnProperty.call(fields, k) && ev[k] !== fields[k]) {
                return false;
            }
        }
        return true;
    };
}

/** Resolves when the Java side writes the given command line to stdin. */
function command(name, ms) {
    return waitFor(is('command', {name: name}), 'command "' + name + '" on stdin', ms);
}

var stdin = readline.createInterface({input: process.stdin});
stdin.on('line', function (line) {
    var name = line.trim();
    if (name) {
        emit('command', {name: name});
    }
});

function whoOwns(socket) {
    for (var i = 0; i < clients.length; i++) {
        if (clients[i].cf._transport === socket) {
            return clients[i].who;
        }
    }
    return '?';
}

function onFrame(direction, socket, data) {
    var text = typeof data === 'string' ? data : Buffer.from(data).toString('utf8');
    var who = whoOwns(socket);
    if (tapFrames) {
        emit('frame_' + direction, {who: who, data: text});
    }
    if (direction !== 'in') {
        return;
    }
    // connect and refresh replies carry fields (expires, ttl, version) that the client API does not surface.
    var parsed;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        emit('bad_frame', {who: who, data: text});
        return;
    }
    (Array.isArray(parsed) ? parsed : [parsed]).forEach(function (reply) {
        if (reply && (reply.method === 'connect' || reply.method === 'refresh')) {
            emit(reply.method + '_reply', {who: who, reply: reply});
        }
    });
}

/** The ws package as the browser WebSocket the client expects, with every frame passed to onFrame. */
class TappedWebSocket extends WS {
    constructor(address, protocols, options) {
        super(address, protocols, options);
        var self = this;
        this.on('message', function (data, isBinary) {
            onFrame('in', self, isBinary ? data : data.toString());
        });
    }

    send(data, options, cb) {
        onFrame('out', this, data);
        return super.send(data, options, cb);
    }
}

// centrifuge@1.5.0 picks raw WebSocket via `new WebSocket(url)` (it checks typeof WebSocket) and makes auth and
// refresh requests with global.XMLHttpRequest; Node 20 has neither as a global.
global.WebSocket = TappedWebSocket;
global.XMLHttpRequest = XMLHttpRequest;

var Centrifuge = require('centrifuge');

/**
 * Creates a client wrapper labelled `who` (appears in every event as "who"). Credentials come from creds
 * (user, timestamp, info, token); extra is merged into the Centrifuge options. A disconnect fails the scenario
 * unless wrapper.allowDisconnect is true.
 */
function client(who, url, creds, extra) {
    var options = Object.assign({
        url: url,
        user: creds.user,
        timestamp: creds.timestamp,
        info: creds.info === undefined ? '' : creds.info,
        token: creds.token,
        // Fast, bounded reconnects by default; the recover scenario overrides these.
        retry: 200,
        maxRetry: 1000,
        debug: false
    }, extra || {});
    var cf = new Centrifuge(options);
    var wrapper = {who: who, cf: cf, allowDisconnect: false, subs: {}};
    clients.push(wrapper);

    cf.on('connect', function (ctx) {
        emit('connect', {who: who, client: ctx.client, transport: ctx.transport});
    });
    cf.on('disconnect', function (ctx) {
        emit('disconnect', {who: who, reason: ctx.reason, reconnect: ctx.reconnect});
        if (!wrapper.allowDisconnect) {
            fail('client ' + who + ' disconnected unexpectedly: ' + JSON.stringify(ctx));
        }
    });
    cf.on('error', function (err) {
        emit('error', {who: who, message: err.message});
    });

    /** Connects (or reconnects) and resolves with the connect event that follows. */
    wrapper.connect = function () {
        var since = mark();
        cf.connect();
        return waitFor(function (ev) {
            return (ev.event === 'connect' || ev.event === 'disconnect') && ev.who === who;
        }, 'connect of ' + who, DEFAULT_TIMEOUT_MS, since).then(function (ev) {
            if (ev.event !== 'connect') {
                throw new Error('client ' + who + ' could not connect: ' + JSON.stringify(ev));
            }
            return ev;
        });
    };

    /** Subscribes and resolves with the subscribe or subscribe_error event (the n-th one for this channel). */
    wrapper.subscribe = function (channel, n) {
        var sub = cf.subscribe(channel, {
            message: function (m) {
                emit('message', {who: who, channel: channel, body: m});
            },
            join: function (m) {
                emit('join', {who: who, channel: channel, body: m});
            },
            leave: function (m) {
                emit('leave', {who: who, channel: channel, body: m});
            },
            subscribe: function (ctx) {
                emit('subscribe', {
                    who: who, channel: ctx.channel, isResubscribe: ctx.isResubscribe, recovered: ctx.recovered
                });
            },
            error: function (err) {
                emit('subscribe_error', {
                    who: who, channel: err.channel, error: err.error, advice: err.advice,
                    isResubscribe: err.isResubscribe
                });
            },
            unsubscribe: function (ctx) {
                emit('unsubscribe', {who: who, channel: ctx.channel});
            }
        });
        wrapper.subs[channel] = sub;
        return wrapper.subscribed(channel, n || 1);
    };

    /** Resolves with the n-th subscribe / subscribe_error event of this client for channel. */
    wrapper.subscribed = function (channel, n) {
        return waitCount(function (ev) {
            return (ev.event === 'subscribe' || ev.event === 'subscribe_error') && ev.who === who
                && ev.channel === channel;
        }, n || 1, 'subscribe result #' + (n || 1) + ' of ' + who + ' on ' + channel).then(function (events) {
            return events[events.length - 1];
        });
    };

    /** Runs a subscription call (presence, history, publish) and emits name or name_error; resolves either way. */
    wrapper.call = function (channel, name, arg) {
        var sub = wrapper.subs[channel];
        return sub[name](arg).then(function (body) {
            var ev = {who: who, channel: channel, body: body};
            emit(name, ev);
            return Object.assign({event: name}, ev);
        }, function (err) {
            var ev = {who: who, channel: channel, error: err.error, advice: err.advice};
            emit(name + '_error', ev);
            return Object.assign({event: name + '_error'}, ev);
        });
    };

    /** Drops the transport without a close handshake, as a network failure would (client sees code 1006). */
    wrapper.drop = function () {
        cf._transport.terminate();
    };

    return wrapper;
}

/** Runs a scenario: body(params, h) returns a promise; success prints "done", any error prints "fail". */
function run(body) {
    var p = params();
    tapFrames = p.tap === true;
    setTimeout(function () {
        fail('scenario deadline of ' + p.timeoutMs + ' ms passed');
    }, p.timeoutMs);
    Promise.resolve().then(function () {
        return body(p, module.exports);
    }).then(function () {
        done();
    }, fail);
}

module.exports = {
    Centrifuge: Centrifuge,
    emit: emit,
    fail: fail,
    done: done,
    params: params,
    waitFor: waitFor,
    waitCount: waitCount,
    mark: mark,
    is: is,
    command: command,
    client: client,
    run: run,
    events: function () {
        return recorded.slice();
    }
};
