'use strict';
// A minimal XMLHttpRequest on top of Node's fetch, covering exactly what centrifuge@1.5.0's _ajax uses for the
// authEndpoint and refreshEndpoint requests: open(), setRequestHeader(), withCredentials, send(),
// onreadystatechange, readyState, status and responseText. Asynchronous only, like the client uses it.

var REQUEST_TIMEOUT_MS = 5000;

function XMLHttpRequest() {
    this.readyState = 0;
    this.status = 0;
    this.responseText = '';
    this.withCredentials = false;
    this.onreadystatechange = null;
    this._method = 'GET';
    this._url = null;
    this._headers = {};
}

XMLHttpRequest.UNSENT = 0;
XMLHttpRequest.OPENED = 1;
XMLHttpRequest.DONE = 4;

XMLHttpRequest.prototype.open = function (method, url) {
    this._method = method;
    this._url = url;
    this.readyState = 1;
};

XMLHttpRequest.prototype.setRequestHeader = function (name, value) {
    this._headers[name] = value;
};

XMLHttpRequest.prototype._finish = function (status, text) {
    this.status = status;
    this.responseText = text;
    this.readyState = 4;
    if (typeof this.onreadystatechange === 'function') {
        this.onreadystatechange();
    }
};

XMLHttpRequest.prototype.send = function (body) {
    var self = this;
    var init = {method: this._method, headers: this._headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS)};
    if (body !== undefined && body !== null && this._method !== 'GET' && this._method !== 'HEAD') {
        init.body = body;
    }
    fetch(this._url, init).then(function (response) {
        return response.text().then(function (text) {
            self._finish(response.status, text);
        });
    }).catch(function () {
        // Like a browser: a network error is a DONE request with status 0.
        self._finish(0, '');
    });
};

module.exports = XMLHttpRequest;
