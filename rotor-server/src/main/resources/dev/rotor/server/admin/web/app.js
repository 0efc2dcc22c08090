// Rotor admin web interface: plain JavaScript, no build step, no network access beyond this server.
// Speaks Centrifugo v1's admin protocol: POST auth/ {password} -> {token}; WebSocket socket, first command
// connect {token, watch: true}, then info, node_live (Rotor's one addition), stats and the API commands.
// Every value from the server reaches the page through textContent, never as HTML.
(function () {
  'use strict';

  var TOKEN_KEY = 'rotor.admin.token';
  var LIVE_MS = 2000;            // this node's counters
  var STATS_MS = 5000;           // the cluster's nodes (their metrics change every node_metrics_interval)
  var WINDOW = 300;              // chart points kept: 10 minutes at LIVE_MS
  var MAX_MESSAGES = 500;        // watch messages kept in the page
  var MAX_SHOWN_DATA = 4000;     // characters of one message's data shown
  var RENDER_MS = 250;           // the message list is redrawn at most this often
  var MAX_CHANNEL_ROWS = 200;    // channel rows drawn (after the filter)
  var PRESENCE_LOOKUPS = 50;     // subscriber counts asked for per refresh
  var COLORS = ['#2f6fde', '#e8590c', '#2b8a3e', '#ae3ec9', '#c92a2a', '#0b7285', '#5c940d', '#862e9c'];

  function $(id) { return document.getElementById(id); }

  function el(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === 'text') { e.textContent = attrs[k]; } else if (k === 'cls') { e.className = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      if (arguments[i] != null) { e.appendChild(typeof arguments[i] === 'string' ? document.createTextNode(arguments[i]) : arguments[i]); }
    }
    return e;
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  // ---- admin socket ------------------------------------------------------------------------------------------

  var base = location.pathname.replace(/[^/]*$/, '');
  var state = {
    ws: null, online: false, everOnline: false, loggedOut: false, retry: 0, retryTimer: null,
    pending: {}, nextUid: 1, info: null, timers: []
  };

  function socketUrl() {
    return (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + base + 'socket';
  }

  function connect() {
    clearTimeout(state.retryTimer);
    var old = state.ws;
    state.ws = null;
    if (old) { old.close(1000); } // its close event is ignored: it is no longer state.ws
    var token = sessionStorage.getItem(TOKEN_KEY) || '';
    var ws;
    try {
      ws = new WebSocket(socketUrl());
    } catch (e) {
      showLogin('Cannot open the admin socket: ' + e.message);
      return;
    }
    state.ws = ws;
    setConn('connecting');
    ws.onopen = function () {
      call('connect', { token: token, watch: true }).then(function (reply) {
        if (reply.error) { throw new Error(reply.error); }
        onOnline();
      }).catch(function () { /* the close handler decides */ });
    };
    ws.onmessage = function (ev) { onFrame(ev.data); };
    ws.onclose = function (ev) { onClose(ws, ev); };
  }

  function call(method, params) {
    return batch([{ method: method, params: params }]).then(function (r) { return r[0]; });
  }

  /** Sends several commands in one frame; resolves with their replies in order. */
  function batch(commands) {
    var ws = state.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) { return Promise.reject(new Error('not connected')); }
    var frame = commands.map(function (c) {
      var cmd = { uid: String(state.nextUid++), method: c.method };
      if (c.params) { cmd.params = c.params; }
      return cmd;
    });
    var waits = frame.map(function (cmd) {
      return new Promise(function (resolve, reject) { state.pending[cmd.uid] = { resolve: resolve, reject: reject }; });
    });
    ws.send(JSON.stringify(frame));
    return Promise.all(waits);
  }

  function onFrame(data) {
    var msg;
    try { msg = JSON.parse(data); } catch (e) { return; }
    (Array.isArray(msg) ? msg : [msg]).forEach(function (m) {
      if (m && m.uid && state.pending[m.uid]) {
        var p = state.pending[m.uid];
        delete state.pending[m.uid];
        p.resolve(m);
      } else if (m && m.method === 'message' && m.body) {
        messages.add(m.body);
      }
    });
  }

  function closeReason(ev) {
    try { return JSON.parse(ev.reason).reason || ''; } catch (e) { return ev.reason || ''; }
  }

  function onClose(ws, ev) {
    if (ws !== state.ws) { return; }
    state.ws = null;
    var reason = closeReason(ev);
    var err = new Error(reason ? 'the server closed the admin connection: ' + reason : 'the admin connection was lost');
    Object.keys(state.pending).forEach(function (uid) { state.pending[uid].reject(err); });
    state.pending = {};
    var wasOnline = state.online;
    state.online = false;
    stopTimers();
    if (state.loggedOut) { return; }
    if (reason === 'unauthorized') {
      var hadToken = !!sessionStorage.getItem(TOKEN_KEY);
      sessionStorage.removeItem(TOKEN_KEY);
      hideBanner();
      showLogin(hadToken ? 'Your session has expired or the admin secret changed: log in again.' : '');
      return;
    }
    if (!state.everOnline && !wasOnline && state.retry > 2) {
      showLogin('Cannot reach the admin socket of this server.');
    }
    state.retry++;
    var delay = Math.min(10000, 500 * Math.pow(2, Math.min(state.retry, 5)));
    setConn('reconnecting');
    if (state.everOnline) {
      showBanner('Connection to the server lost' + (reason ? ' (' + reason + ')' : '') + '. Reconnecting in '
        + Math.round(delay / 1000) + ' s…');
    }
    state.retryTimer = setTimeout(connect, delay);
  }

  function onOnline() {
    state.online = true;
    state.everOnline = true;
    state.retry = 0;
    hideBanner();
    setConn('online');
    $('login').hidden = true;
    $('app').hidden = false;
    route();
    call('info').then(function (r) {
      if (r.error) { return; }
      state.info = r.body.data;
      $('node-name').textContent = state.info.config.name;
      document.title = state.info.config.name + ' · Rotor admin';
      status.render();
    }).catch(function () {});
    status.tickLive();
    status.tickStats();
    state.timers.push(setInterval(status.tickLive, LIVE_MS), setInterval(status.tickStats, STATS_MS));
    if (currentPage === 'channels') { channels.refresh(); }
  }

  function stopTimers() {
    state.timers.forEach(clearInterval);
    state.timers = [];
  }

  function setConn(s) {
    var c = $('conn');
    c.textContent = s;
    c.className = 'pill ' + (s === 'online' ? 'online' : 'offline');
  }

  function showBanner(text) { var b = $('banner'); b.textContent = text; b.hidden = false; }
  function hideBanner() { $('banner').hidden = true; }

  // ---- login -------------------------------------------------------------------------------------------------

  function showLogin(error) {
    $('app').hidden = true;
    $('login').hidden = false;
    $('login-error').textContent = error || '';
    $('password').focus();
  }

  $('login-form').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var password = $('password').value;
    var error = $('login-error');
    if (!password) { error.textContent = 'Enter the admin password.'; return; }
    var button = $('login-submit');
    button.disabled = true;
    error.textContent = '';
    fetch(base + 'auth/', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'password=' + encodeURIComponent(password)
    }).then(function (resp) {
      if (resp.status === 400) { throw new Error('Wrong password.'); }
      if (resp.status === 429) { throw new Error('Too many attempts: wait a few seconds and try again.'); }
      if (!resp.ok) { throw new Error('Login failed: the server answered ' + resp.status + '.'); }
      return resp.json();
    }).then(function (body) {
      sessionStorage.setItem(TOKEN_KEY, body.token);
      $('password').value = '';
      state.loggedOut = false;
      connect();
    }).catch(function (e) {
      error.textContent = e instanceof TypeError ? 'Cannot reach the server.' : e.message;
      $('password').select();
    }).then(function () { button.disabled = false; });
  });

  $('logout').addEventListener('click', function () {
    sessionStorage.removeItem(TOKEN_KEY);
    state.loggedOut = true;
    clearTimeout(state.retryTimer);
    stopTimers();
    if (state.ws) { state.ws.close(1000); state.ws = null; }
    state.online = false;
    state.everOnline = false;
    hideBanner();
    showLogin('');
  });

  // ---- routing -----------------------------------------------------------------------------------------------

  var PAGES = ['status', 'channels', 'messages', 'actions'];
  var currentPage = null;

  function route() {
    var page = location.hash.replace(/^#/, '');
    if (PAGES.indexOf(page) < 0) { page = 'status'; }
    currentPage = page;
    PAGES.forEach(function (p) { $('page-' + p).hidden = p !== page; });
    document.querySelectorAll('nav a').forEach(function (a) {
      if (a.getAttribute('data-page') === page) { a.setAttribute('aria-current', 'page'); } else { a.removeAttribute('aria-current'); }
    });
    if (page === 'status') { status.resize(); }
    if (page === 'channels' && state.online) { channels.refresh(); }
    if (page === 'messages') { messages.render(); }
  }
  window.addEventListener('hashchange', function () {
    route();
    window.scrollTo(0, 0);
    $('main').focus({ preventScroll: true }); // keyboard users continue in the page they chose
  });

  // ---- formatting --------------------------------------------------------------------------------------------

  function fmtInt(n) { return n == null ? '—' : Number(n).toLocaleString('en-US'); }
  function fmtBytes(n) {
    if (n == null) { return '—'; }
    var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }
  function fmtUptime(s) {
    if (s == null) { return '—'; }
    var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600), m = Math.floor(s % 3600 / 60);
    if (d) { return d + 'd ' + h + 'h'; }
    if (h) { return h + 'h ' + m + 'm'; }
    return m + 'm ' + (s % 60) + 's';
  }
  function fmtTime(d) { return d.toLocaleTimeString('en-GB', { hour12: false }); }
  function pretty(v) { return JSON.stringify(v, null, 2); }
  function cssVar(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }

  // ---- Status ------------------------------------------------------------------------------------------------

  var CHARTS = [
    { id: 'clients', live: function (m) { return m.node_num_clients; }, remote: function (m) { return m.node_num_clients; } },
    { id: 'published', counter: 'node_num_client_msg_published' },
    { id: 'delivered', counter: 'client_num_msg_sent' },
    { id: 'api', counter: 'http_api_num_requests' },
    { id: 'cpu', cpu: true },
    { id: 'memory', live: function (m) { return m.node_memory_heap_alloc / 1048576; },
      remote: function (m) { return m.node_memory_heap_alloc / 1048576; } }
  ];

  var status = (function () {
    var self = null;          // this node's latest node_live data
    var prevSelf = null;      // the one before, for rates
    var remote = {};          // uid -> node from stats
    var metricsInterval = 60;
    var times = [];           // seconds
    var values = {};          // chart id -> uid -> [value]
    var order = [];           // uids, this node first
    var names = {};           // uid -> name
    var plots = {};           // chart id -> uPlot

    CHARTS.forEach(function (c) { values[c.id] = {}; });

    function liveValue(chart) {
      var m = self.metrics;
      if (chart.live) { return chart.live(m); }
      if (!prevSelf) { return null; }
      var dt = (self.time_ms - prevSelf.time_ms) / 1000;
      if (dt <= 0) { return null; }
      if (chart.cpu) {
        return Math.max(0, (m.node_process_cpu_nanos - prevSelf.metrics.node_process_cpu_nanos) / 1e7 / dt);
      }
      return Math.max(0, (m[chart.counter] - prevSelf.metrics[chart.counter]) / dt);
    }

    function remoteValue(chart, node) {
      var m = node.metrics;
      if (chart.remote) { return chart.remote(m); }
      if (chart.cpu) { return m.node_cpu_usage; }
      return m[chart.counter] / metricsInterval; // stats counters are increases over the last interval
    }

    function tickLive() {
      if (!state.online) { return; }
      call('node_live').then(function (r) {
        if (r.error) { return; }
        prevSelf = self;
        self = r.body.data;
        self.time_ms = r.body.time_ms;
        sample();
        render();
      }).catch(function () {});
    }

    function tickStats() {
      if (!state.online) { return; }
      call('stats').then(function (r) {
        if (r.error) { return; }
        metricsInterval = r.body.data.metrics_interval || 60;
        $('metrics-interval').textContent = metricsInterval;
        var next = {};
        (r.body.data.nodes || []).forEach(function (n) { next[n.uid] = n; });
        remote = next;
        render();
      }).catch(function () {});
    }

    function sample() {
      var uids = [self.uid].concat(Object.keys(remote).filter(function (u) { return u !== self.uid; }).sort(function (a, b) {
        return String(remote[a].name).localeCompare(String(remote[b].name));
      }));
      names[self.uid] = self.name;
      uids.forEach(function (u) { if (remote[u]) { names[u] = remote[u].name; } });
      var changed = uids.length !== order.length || uids.some(function (u, i) { return order[i] !== u; });
      times.push(self.time_ms / 1000);
      CHARTS.forEach(function (c) {
        uids.forEach(function (u) {
          var arr = values[c.id][u];
          if (!arr) { arr = values[c.id][u] = times.slice(0, -1).map(function () { return null; }); }
          arr.push(u === self.uid ? liveValue(c) : remoteValue(c, remote[u]));
        });
        Object.keys(values[c.id]).forEach(function (u) {
          if (uids.indexOf(u) < 0) { delete values[c.id][u]; } // a node gone from the cluster leaves the charts
        });
      });
      if (times.length > WINDOW) {
        times.shift();
        CHARTS.forEach(function (c) { Object.keys(values[c.id]).forEach(function (u) { values[c.id][u].shift(); }); });
      }
      if (changed) {
        order = uids;
        Object.keys(plots).forEach(function (id) { plots[id].destroy(); delete plots[id]; });
      }
      draw();
    }

    function chartData(c) {
      var rows = order.map(function (u) { return values[c.id][u]; });
      var data = [times.slice()].concat(rows);
      if (order.length > 1) {
        data.push(times.map(function (_, i) {
          var sum = null;
          rows.forEach(function (r) { if (r[i] != null) { sum = (sum || 0) + r[i]; } });
          return sum;
        }));
      }
      return data;
    }

    function draw() {
      if (typeof uPlot === 'undefined') { return; }
      CHARTS.forEach(function (c) {
        var fig = $('chart-' + c.id);
        var data = chartData(c);
        fig.setAttribute('data-points', String(times.length));
        if (!plots[c.id]) {
          var holder = fig.querySelector('.plot');
          clear(holder);
          var series = [{}].concat(order.map(function (u, i) {
            return { label: names[u] || u, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
              value: function (u2, v) { return v == null ? '—' : (Math.round(v * 100) / 100).toString(); } };
          }));
          if (order.length > 1) { series.push({ label: 'all nodes', stroke: cssVar('--fg'), width: 2, dash: [6, 4] }); }
          var axis = { stroke: cssVar('--muted'), grid: { stroke: cssVar('--grid'), width: 1 }, ticks: { stroke: cssVar('--grid') } };
          plots[c.id] = new uPlot({
            width: Math.max(200, holder.clientWidth || 400), height: 200, series: series,
            scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max * 1.15)]; } } },
            axes: [axis, Object.assign({ size: 56 }, axis)],
            legend: { show: true, live: true }, cursor: { drag: { x: false, y: false } }
          }, data, holder);
        } else {
          plots[c.id].setData(data);
        }
      });
    }

    function resize() {
      Object.keys(plots).forEach(function (id) {
        var holder = $('chart-' + id).querySelector('.plot');
        var w = holder.clientWidth;
        if (w > 0 && w !== plots[id].width) { plots[id].setSize({ width: w, height: 200 }); }
      });
    }

    function rebuild() {
      Object.keys(plots).forEach(function (id) { plots[id].destroy(); delete plots[id]; });
      draw();
    }

    function render() {
      var tbody = $('nodes').querySelector('tbody');
      clear(tbody);
      var engine = state.info ? state.info.engine : '—';
      var uids = Object.keys(remote);
      if (self && uids.indexOf(self.uid) < 0) { uids.unshift(self.uid); }
      uids.sort(function (a, b) { return self && a === self.uid ? -1 : self && b === self.uid ? 1 : String((remote[a] || {}).name).localeCompare(String((remote[b] || {}).name)); });
      if (!uids.length) {
        tbody.appendChild(el('tr', null, el('td', { colspan: '10', cls: 'empty', text: 'Waiting for the first sample…' })));
      }
      var clients = 0;
      uids.forEach(function (u) {
        var isSelf = self && u === self.uid;
        var n = isSelf ? self : remote[u];
        var m = n.metrics;
        var cpu = isSelf ? liveValue({ cpu: true }) : m.node_cpu_usage;
        clients += m.node_num_clients || 0;
        tbody.appendChild(el('tr', isSelf ? { 'data-self': 'true' } : null,
          el('td', null, el('strong', { text: n.name }), isSelf ? el('span', { cls: 'muted', text: ' (this node)' }) : null),
          el('td', { text: fmtUptime(m.node_uptime_seconds) }),
          el('td', { text: n.version }),
          el('td', { text: engine }),
          el('td', { cls: 'num', text: fmtInt(m.node_num_clients) }),
          el('td', { cls: 'num', text: fmtInt(m.node_num_unique_clients) }),
          el('td', { cls: 'num', text: fmtInt(m.node_num_channels) }),
          el('td', { cls: 'num', text: cpu == null ? '—' : cpu.toFixed(1) + ' %' }),
          el('td', { cls: 'num', text: fmtBytes(m.node_memory_heap_alloc) }),
          el('td', { cls: 'num', text: fmtInt(m.node_num_goroutine) })));
      });
      $('status-summary').textContent = uids.length ? uids.length + (uids.length === 1 ? ' node, ' : ' nodes, ')
        + fmtInt(clients) + ' connected clients' : '';
    }

    return { tickLive: tickLive, tickStats: tickStats, render: render, resize: resize, rebuild: rebuild };
  })();

  if (window.ResizeObserver) {
    new ResizeObserver(function () { status.resize(); }).observe(document.querySelector('.charts'));
  }
  if (window.matchMedia) {
    var scheme = window.matchMedia('(prefers-color-scheme: dark)');
    if (scheme.addEventListener) { scheme.addEventListener('change', function () { status.rebuild(); }); }
  }

  // ---- Channels ----------------------------------------------------------------------------------------------

  var channels = (function () {
    var all = [];
    var counts = {};
    var selected = null;

    function refresh() {
      call('channels').then(function (r) {
        if (r.error) { $('ch-summary').textContent = 'Error: ' + r.error; return; }
        all = (r.body.data || []).slice().sort();
        render();
        var shown = visible().slice(0, PRESENCE_LOOKUPS);
        if (!shown.length) { return null; }
        return batch(shown.map(function (ch) { return { method: 'presence', params: { channel: ch } }; })).then(function (replies) {
          replies.forEach(function (rep, i) {
            counts[shown[i]] = rep.error ? { error: rep.error } : Object.keys(rep.body.data || {}).length;
          });
          render();
        });
      }).catch(function (e) { $('ch-summary').textContent = e.message; });
      if (selected) { open(selected); }
    }

    function visible() {
      var f = $('ch-filter').value.trim().toLowerCase();
      return f ? all.filter(function (c) { return c.toLowerCase().indexOf(f) >= 0; }) : all;
    }

    function render() {
      var list = visible();
      var tbody = $('ch-table').querySelector('tbody');
      clear(tbody);
      list.slice(0, MAX_CHANNEL_ROWS).forEach(function (ch) {
        var c = counts[ch];
        var count = c == null ? '…' : typeof c === 'number' ? fmtInt(c) : '—';
        var button = el('button', { type: 'button', cls: 'link', text: ch });
        button.addEventListener('click', function () { open(ch); });
        tbody.appendChild(el('tr', selected === ch ? { cls: 'selected' } : null, el('td', { cls: 'wrap' }, button),
          el('td', { cls: 'num', title: c && c.error ? 'presence: ' + c.error : 'clients in presence', text: count })));
      });
      $('ch-empty').hidden = list.length > 0;
      $('ch-empty').textContent = all.length ? 'No channel matches the filter.'
        : 'No active channels. A channel is active while a client is subscribed to it.';
      $('ch-summary').textContent = fmtInt(all.length) + ' active' + (list.length !== all.length ? ', ' + fmtInt(list.length) + ' shown' : '')
        + (list.length > MAX_CHANNEL_ROWS ? ' (first ' + MAX_CHANNEL_ROWS + ' listed)' : '');
    }

    function open(ch) {
      selected = ch;
      $('ch-detail').hidden = false;
      $('ch-name').textContent = ch;
      var presence = $('ch-presence'), history = $('ch-history');
      clear(presence); clear(history);
      presence.appendChild(el('p', { cls: 'muted', text: 'Loading…' }));
      batch([{ method: 'presence', params: { channel: ch } }, { method: 'history', params: { channel: ch } }]).then(function (r) {
        clear(presence); clear(history);
        if (r[0].error) {
          presence.appendChild(el('p', { cls: 'muted', text: 'Presence is not available: ' + r[0].error + ' (presence is off for this namespace?)' }));
        } else {
          var entries = r[0].body.data || {};
          var keys = Object.keys(entries);
          if (!keys.length) { presence.appendChild(el('p', { cls: 'muted', text: 'Nobody is subscribed.' })); }
          var rows = keys.map(function (k) {
            var e = entries[k];
            return el('tr', null, el('td', { cls: 'mono', text: e.client || k }), el('td', { text: e.user === '' ? '(anonymous)' : e.user }),
              el('td', { cls: 'wrap mono', text: e.default_info != null ? JSON.stringify(e.default_info) : '' }));
          });
          if (keys.length) {
            presence.appendChild(el('div', { cls: 'table-wrap' }, el('table', { id: 'ch-presence-table' },
              el('thead', null, el('tr', null, el('th', { text: 'Client' }), el('th', { text: 'User' }), el('th', { text: 'Info' }))),
              el.apply(null, ['tbody', null].concat(rows)))));
          }
        }
        if (r[1].error) {
          history.appendChild(el('p', { cls: 'muted', text: 'History is not available: ' + r[1].error }));
        } else {
          var msgs = r[1].body.data || [];
          if (!msgs.length) { history.appendChild(el('p', { cls: 'muted', text: 'No messages in history (history_size is 0 or nothing was published recently).' })); }
          msgs.forEach(function (m) { history.appendChild(el('pre', { cls: 'json', text: pretty(m.data) })); });
        }
      }).catch(function (e) { clear(presence); presence.appendChild(el('p', { cls: 'error', text: e.message })); });
      render();
    }

    $('ch-filter').addEventListener('input', render);
    $('ch-refresh').addEventListener('click', refresh);
    $('ch-close').addEventListener('click', function () { selected = null; $('ch-detail').hidden = true; render(); });
    return { refresh: refresh };
  })();

  // ---- Messages ----------------------------------------------------------------------------------------------

  var messages = (function () {
    var list = [];             // newest last; at most MAX_MESSAGES
    var paused = false;
    var unseen = 0;

    var renderTimer = null;    // at most one redraw per RENDER_MS however fast messages arrive

    function add(body) {
      list.push({ at: new Date(), body: body });
      if (list.length > MAX_MESSAGES) { list.shift(); }
      if (paused) { unseen++; }
      if (!renderTimer) {
        renderTimer = setTimeout(function () {
          renderTimer = null;
          if (!paused && currentPage === 'messages') { render(); } else { updateCount(); }
        }, RENDER_MS);
      }
    }

    function updateCount() {
      var text = list.length + ' kept (at most ' + MAX_MESSAGES + ')';
      if (paused) { text += ' · paused, ' + unseen + ' new'; }
      $('msg-count').textContent = text;
    }

    function render() {
      var f = $('msg-filter').value.trim().toLowerCase();
      var ol = $('msg-list');
      clear(ol);
      var shown = 0;
      for (var i = list.length - 1; i >= 0; i--) {
        var m = list[i], b = m.body;
        if (f && String(b.channel).toLowerCase().indexOf(f) < 0) { continue; }
        var data = pretty(b.data);
        if (data && data.length > MAX_SHOWN_DATA) { data = data.slice(0, MAX_SHOWN_DATA) + '\n… (' + data.length + ' characters)'; }
        ol.appendChild(el('li', null,
          el('div', { cls: 'meta' }, el('span', { cls: 'channel', text: b.channel }), el('span', { text: fmtTime(m.at) }),
            b.client ? el('span', { cls: 'mono', text: 'client ' + b.client }) : el('span', { text: 'from the API' }),
            b.info && b.info.user != null ? el('span', { text: 'user ' + (b.info.user || '(anonymous)') }) : null,
            el('span', { cls: 'mono', text: 'uid ' + b.uid })),
          el('pre', { text: data })));
        shown++;
      }
      $('msg-empty').hidden = shown > 0;
      $('msg-empty').textContent = list.length ? 'No message matches the filter.'
        : 'No messages yet. Messages published into channels whose namespace has watch: true appear here as they happen.';
      unseen = 0;
      updateCount();
    }

    $('msg-filter').addEventListener('input', render);
    $('msg-pause').addEventListener('click', function () {
      paused = !paused;
      this.setAttribute('aria-pressed', String(paused));
      this.textContent = paused ? 'Resume' : 'Pause';
      if (!paused) { render(); } else { updateCount(); }
    });
    $('msg-clear').addEventListener('click', function () { list = []; unseen = 0; render(); });
    return { add: add, render: render };
  })();

  // ---- Actions -----------------------------------------------------------------------------------------------

  (function () {
    var method = $('act-method');

    function fields() {
      document.querySelectorAll('#act-form .field').forEach(function (f) {
        f.hidden = f.getAttribute('data-for').split(' ').indexOf(method.value) < 0;
      });
      validateData();
    }

    /** The parsed data, or undefined (with the error shown) when it is not valid JSON. */
    function validateData() {
      var area = $('act-data');
      var out = $('act-data-error');
      if (['publish', 'broadcast'].indexOf(method.value) < 0) { out.textContent = ''; area.removeAttribute('aria-invalid'); return null; }
      try {
        var v = JSON.parse(area.value);
        out.textContent = '';
        area.removeAttribute('aria-invalid');
        return v;
      } catch (e) {
        out.textContent = 'Not valid JSON: ' + e.message;
        area.setAttribute('aria-invalid', 'true');
        return undefined;
      }
    }

    function build() {
      var m = method.value;
      var channel = $('act-channel').value.trim();
      var user = $('act-user').value.trim();
      var p = {};
      if (['publish', 'unsubscribe', 'presence', 'history'].indexOf(m) >= 0) {
        if (!channel) { throw new Error('Enter a channel.'); }
        p.channel = channel;
      }
      if (m === 'broadcast') {
        p.channels = $('act-channels').value.split(/[\s,]+/).filter(Boolean);
        if (!p.channels.length) { throw new Error('Enter at least one channel.'); }
      }
      if (m === 'unsubscribe' || m === 'disconnect') {
        if (!user) { throw new Error('Enter a user ID.'); }
        p.user = user;
      }
      if (m === 'publish' || m === 'broadcast') {
        var data = validateData();
        if (data === undefined) { throw new Error('Fix the JSON data first.'); }
        p.data = data;
        var client = $('act-client').value.trim();
        if (client) { p.client = client; }
      }
      return { method: m, params: p };
    }

    method.addEventListener('change', fields);
    $('act-data').addEventListener('input', validateData);
    $('act-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var err = $('act-error');
      err.textContent = '';
      var cmd;
      try { cmd = build(); } catch (e) { err.textContent = e.message; return; }
      $('act-command').textContent = pretty(cmd);
      $('act-reply').textContent = 'Waiting for the reply…';
      var send = $('act-send');
      send.disabled = true;
      call(cmd.method, cmd.params).then(function (reply) {
        $('act-reply').textContent = pretty(reply);
      }).catch(function (e) {
        $('act-reply').textContent = 'No reply: ' + e.message;
      }).then(function () { send.disabled = false; });
    });
    fields();
  })();

  // ---- start -------------------------------------------------------------------------------------------------

  setConn('connecting');
  connect();
})();
