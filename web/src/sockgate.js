// sockgate's JavaScript API: real TCP and UDP sockets for a web page, through
// the sockgate gateway.
//
//   const session = await openSession({ token });
//   const { sock } = await session.connect('127.0.0.1', 9007);
//   session.addEventListener('data', (e) => console.log(e.detail.bytes));
//   session.send(sock, 'hello\n');
//
// This file is deliberately thin. The protocol, the socket table and flow
// control live in the wasm client (wasm/browser/js_session.hpp, compiled to
// sockgate_client.mjs + .wasm); here its results become Promises and its
// reports become DOM events. The one piece of the protocol done here is the
// header of DATA and DATAGRAM frames, so that stream bytes and datagrams go
// from the WebSocket to the caller (and back) without passing through wasm
// memory: the wasm client is told their sizes and keeps all the accounting
// (while nobody listens for 'wire'; then every frame goes through it). Every
// event carries its data in event.detail:
//
//   data          {sock, bytes: Uint8Array}
//   datagram      {sock, from: {addr, port}, bytes}
//   accept        {listener, sock, local, remote}
//   eof           {sock}                      the peer sent FIN
//   closed        {sock, error: {code, message} | null}
//   error         {error: {code, message}, sock?, id?}
//   badinput      {code, message}             the gateway sent something unacceptable
//   drained       {sock}                      data that waited for credit is all sent
//   sockets       {}                          the socket table changed (see sockets())
//   wire          {dir: 'in'|'out', kind: 'text'|'binary', text?, frame?, size?, raw?, time}
//   sessionclosed {code, reason}
//
// 'wire' and 'sockets' are delivered from a microtask, after the work that
// caused them: 'wire' so that its listeners may call back into the session
// (the client core forbids that while it is writing or reading a message),
// 'sockets' so that a burst of changes costs one table refresh. 'sockets'
// is made only while someone listens for it, for changes from then on. The wire
// events of the opening handshake (hello out, its reply in) are held back
// until the task after openSession resolves, so that listeners added right
// after `await openSession(...)` see them too.

export class SockgateError extends Error {
  // code: an errno name such as 'ECONNREFUSED' (docs/PROTOCOL.md section 7).
  // details: extra fields, e.g. closeCode and closeReason when the WebSocket
  // failed while the session was opening.
  constructor(code, message, details = {}) {
    super(message || code);
    this.name = 'SockgateError';
    this.code = code;
    Object.assign(this, details);
  }
}

const utf8 = new TextEncoder();
const inPage = typeof document !== 'undefined';
// Pages and workers have a location; Node has neither that nor a document.
const hasLocation = typeof location !== 'undefined';
const inNode = typeof process === 'object' && typeof process.versions?.node === 'string';

// Private to this module: how openSession starts a session.
const start = Symbol('start');

// ---------------------------------------------------------------- module loading

// Instantiated wasm modules by URL or factory: sessions share one instance.
const modules = new Map();

function resolveUrl(url) {
  const base = inPage ? document.baseURI : hasLocation ? location.href : import.meta.url;
  return new URL(String(url), base);
}

// Loads the wasm client once per URL (or factory) and returns the instance.
// moduleFactory(options) must return a Promise of the instance, like
// Emscripten's createSockgateModule; in Node it typically supplies wasmBinary.
function loadModule({ moduleUrl, moduleFactory }) {
  const key = moduleFactory ?? resolveUrl(moduleUrl ?? './wasm/sockgate_client.mjs').href;
  let instance = modules.get(key);
  if (!instance) {
    instance = moduleFactory ? Promise.resolve(moduleFactory({})) : instantiate(key);
    instance.catch(() => modules.delete(key)); // let a later attempt retry
    modules.set(key, instance);
  }
  return instance;
}

async function instantiate(href) {
  const { default: factory } = await import(/* webpackIgnore: true */ href);
  const options = {};
  if (inNode && !hasLocation) {
    // Emscripten's own Node file loading does not work from an ES module
    // (wasm/browser/node_esm_prelude.js): hand it the bytes. The specifier
    // is computed so that bundlers for the page leave it alone.
    const fs = await import(['node', 'fs/promises'].join(':'));
    options.wasmBinary = await fs.readFile(new URL(href.replace(/\.m?js([?#].*)?$/, '.wasm')));
  }
  return factory(options);
}

function defaultSocketUrl() {
  if (!hasLocation) throw new SockgateError('EINVAL', 'openSession: url is required outside a page');
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`;
}

// ---------------------------------------------------------------- openSession

// Loads the wasm client, opens the WebSocket and sends hello. Resolves with
// the ready session; rejects with SockgateError: the hello reply's error
// (EACCES for a bad token), ECONNREFUSED when the WebSocket cannot be opened,
// EPROTO when it closes before hello is answered (both with closeCode and
// closeReason), EINVAL for a bad URL, EIO when the wasm client cannot load.
export async function openSession({ url, token, moduleUrl, moduleFactory } = {}) {
  const socketUrl = webSocketUrl(url ?? defaultSocketUrl());
  let module;
  try {
    module = await loadModule({ moduleUrl, moduleFactory });
  } catch (e) {
    throw new SockgateError('EIO', `cannot load the sockgate wasm client: ${e?.message ?? e}`, { cause: e });
  }
  const session = new SockgateSession(new module.Session(), socketUrl, wireFormat(module));
  await session[start](token);
  return session;
}

// What the session needs of the wire format, from the wasm client that
// defines it.
function wireFormat(module) {
  return {
    subprotocol: module.subprotocol(),
    headerSize: module.frameHeaderSize,
    dataKind: module.dataFrameKind,
    windowKind: module.windowFrameKind,
    datagramKind: module.datagramFrameKind,
    maxDatagram: module.maxDatagramPayload,
    addressBytes: (text) => module.Session.addressBytes(text),
    addressText: (bytes) => module.Session.addressText(bytes),
  };
}

// The absolute ws:// or wss:// URL; relative ones count from the page.
function webSocketUrl(url) {
  let parsed = null;
  try {
    parsed = new URL(String(url), hasLocation ? location.href : undefined);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== 'ws:' && parsed.protocol !== 'wss:')) {
    throw new SockgateError('EINVAL', `not a ws:// or wss:// URL: ${url}`);
  }
  return parsed.href;
}

// ---------------------------------------------------------------- session

function toError(e, details) {
  return new SockgateError(e.code, e.message, details);
}

function notConnected() {
  return new SockgateError('ENOTCONN', 'the session is closed');
}

// Anything send() accepts, as bytes.
function toBytes(data) {
  if (typeof data === 'string') return utf8.encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new SockgateError('EINVAL', 'data must be a string, an ArrayBuffer or a typed array');
}

// A bug in this file must not unwind through the wasm client, whose state
// would be left half-updated: report it from a fresh task instead.
function reportLater(error) {
  setTimeout(() => {
    throw error;
  });
}

export class SockgateSession extends EventTarget {
  info = null; // the hello reply: {version, server, session, window, max_window, max_frame, limits}
  url;

  #core; // the wasm Session; null once the session has ended
  #socket = null; // the WebSocket
  #format; // wireFormat()
  #maxPayload = 0; // the largest DATA payload, once hello is answered
  #opening = null; // {resolve, reject} until hello is answered
  #pending = new Map(); // request id -> {resolve, reject}
  #closedWith = null; // {code, reason} once the session has ended
  #closeWaiters = [];
  #finalSockets = []; // the socket table as the session ended
  #wireQueue = [];
  // 'wire' and 'sockets' listeners, each without and with the capture flag
  // (EventTarget tells them apart by both): while there are no 'wire'
  // listeners, after the handshake, the core describes no frames at all;
  // while there are no 'sockets' listeners, no such event is made.
  #listeners = { wire: [new Set(), new Set()], sockets: [new Set(), new Set()] };
  #handshakeSeen = false;
  // Whether the core describes frames for 'wire' listeners. While it does,
  // every frame goes through the core so that it sees them all; while it
  // does not, stream data and datagrams bypass it (#onMessage, #sendFramed,
  // #sendDatagram).
  #wireTap = true;
  #socketsChanged = false;
  #flushScheduled = false;
  // Destination text -> its bytes as the protocol writes them (null: not a
  // numeric address), so that a datagram's address is parsed once.
  #destinations = new Map();
  // Stream bytes waiting for credit while the tap is off, per socket. Bytes
  // wait here only behind what the core holds, so order is kept; they go to
  // the core when the tap turns on or before a shutdown, which must follow
  // them.
  #waiting = new Map(); // sock -> WaitingBytes
  // Where DATA and DATAGRAM frames sent at once are made: WebSocket.send
  // copies what it is given, so one buffer serves every frame.
  #scratch = null;
  // The source of the last datagram received, as bytes and as text: most
  // datagrams come from the peer the one before came from.
  #lastSource = { bytes: new Uint8Array(0), text: '' };

  // Sessions come from openSession().
  constructor(core, url, format) {
    super();
    this.url = url;
    this.#core = core;
    this.#format = format;
    core.setListener({ onEvent: (name, payload) => this.#onEvent(name, payload) });
  }

  [start](token) {
    if (token != null && typeof token !== 'string') {
      return Promise.reject(new SockgateError('EINVAL', 'token must be a string'));
    }
    return new Promise((resolve, reject) => {
      this.#opening = { resolve, reject };
      try {
        const socket = new WebSocket(this.url, this.#format.subprotocol);
        socket.binaryType = 'arraybuffer';
        this.#core.open(socket, this.url, token ?? null);
        socket.onopen = () => this.#core?.transportOpen();
        socket.onmessage = (event) => this.#onMessage(event.data);
        // Every error is followed by a close event, which carries what
        // there is to know; without a handler, Node's ws would throw it.
        socket.onerror = () => {};
        socket.onclose = (event) => this.#core?.transportClose(event.code, event.reason);
        this.#socket = socket;
      } catch (e) {
        // new WebSocket() throws for URLs it cannot use (SyntaxError).
        this.#opening = null;
        const core = this.#core;
        this.#core = null;
        this.#closedWith = { code: 1006, reason: '' };
        setTimeout(() => dispose(core));
        reject(new SockgateError('EINVAL', `cannot open a WebSocket to ${this.url}: ${e?.message ?? e}`));
      }
    });
  }

  get closed() {
    return this.#closedWith !== null;
  }

  // connecting, open, ready, closing or closed.
  get state() {
    return this.#core ? this.#core.state() : 'closed';
  }

  // ---- requests ----

  // -> {sock, local: {addr, port}, remote: {addr, port}}
  connect(host, port, { timeoutMs } = {}) {
    return this.#request((core) => core.connect(host, port, timeoutMs ?? null));
  }

  // host null/undefined: the gateway's default. -> {sock, local}
  listen(host, port, { backlog } = {}) {
    return this.#request((core) => core.listen(host ?? null, port ?? null, backlog ?? null));
  }

  // A UDP socket. -> {sock, local}
  bind(host, port) {
    return this.#request((core) => core.bind(host ?? null, port ?? null));
  }

  // Half-closes after everything queued on sock has gone out.
  shutdown(sock) {
    this.#handOver(sock);
    return this.#request((core) => core.shutdown(sock));
  }

  close(sock) {
    this.#waiting.delete(sock); // closing discards what waits, as the core does
    return this.#request((core) => core.close(sock));
  }

  // -> {addrs: [string]}
  resolve(host) {
    return this.#request((core) => core.resolve(host));
  }

  // Any op with any fields; resolves with the whole reply object.
  request(op, fields = {}) {
    return this.#request((core) => core.request(op, JSON.stringify(fields)));
  }

  // ---- data: queued under flow control; errors are thrown at once ----

  send(sock, data) {
    const bytes = toBytes(data);
    if (this.#wireTap || !isSocketId(sock)) this.#call((core) => core.send(sock, bytes));
    else this.#sendFramed(sock, bytes);
  }

  sendTo(sock, addr, port, data) {
    const bytes = toBytes(data);
    const ip = this.#wireTap || !isSocketId(sock) || !isPort(port) ? null : this.#destination(addr);
    if (ip) this.#sendDatagram(sock, ip, port, bytes);
    else this.#call((core) => core.sendTo(sock, addr, port, bytes)); // also says what is wrong
  }

  // ---- manual credit: for readers that take bytes at their own pace ----

  // With manual credit, bytes delivered in 'data' events count as read only
  // once consume() says so; the gateway sends at most one window beyond.
  setManualCredit(sock, manual = true) {
    this.#call((core) => core.setManualCredit(sock, Boolean(manual)));
  }

  consume(sock, n) {
    this.#call((core) => core.consume(sock, n));
  }

  // Bytes of `sock` waiting in the client for credit from the gateway.
  queued(sock) {
    return this.#core ? this.#core.queued(sock) + (this.#waiting.get(sock)?.size ?? 0) : 0;
  }

  // ---- state ----

  // [{id, kind: 'tcp'|'listener'|'udp', state: 'open'|'closing'|'closed',
  //   local, remote, listener, bytesIn, bytesOut, datagramsIn, datagramsOut,
  //   queued, eof, shutdown, error, sendCredit, recvCredit, recvWindow}]
  sockets() {
    return this.#core ? this.#withWaiting(this.#core.sockets()) : structuredClone(this.#finalSockets);
  }

  // Drops closed sockets from the table.
  forgetClosed() {
    if (this.#core) this.#core.forgetClosed();
    else this.#finalSockets = this.#finalSockets.filter((s) => s.state !== 'closed');
    this.#tableChanged();
  }

  // -> {code, reason}: how the session ended (the gateway's code may win).
  closeSession(code = 1000, reason = '') {
    if (!this.#closedWith) {
      try {
        this.#call((core) => core.closeSession(code, String(reason)));
      } catch (e) {
        return Promise.reject(e);
      }
    }
    // A WebSocket that never opened reports its end at once.
    if (this.#closedWith) return Promise.resolve({ ...this.#closedWith });
    return new Promise((resolve) => this.#closeWaiters.push(resolve));
  }

  // ---- plumbing ----

  // Runs a request method of the core: it returns the request id, whose
  // reply comes as a 'reply' event, or an error object.
  #request(startRequest) {
    let id;
    try {
      id = this.#invoke(startRequest);
    } catch (e) {
      return Promise.reject(e);
    }
    if (typeof id !== 'number') return Promise.reject(toError(id));
    return new Promise((resolve, reject) => this.#pending.set(id, { resolve, reject }));
  }

  // Runs a core method that returns undefined or an error object.
  #call(method) {
    const failure = this.#invoke(method);
    if (failure !== undefined) throw toError(failure);
  }

  #invoke(method) {
    if (!this.#core) throw notConnected();
    try {
      return method(this.#core);
    } catch (e) {
      // embind rejects arguments of the wrong type (a number for a string).
      if (e?.name === 'BindingError') throw new SockgateError('EINVAL', e.message);
      throw e;
    }
  }

  // Frames what credit allows of `bytes` at once and keeps the rest waiting
  // here until WINDOW frames bring credit.
  #sendFramed(sock, bytes) {
    const core = this.#core;
    if (!core) throw notConnected();
    let waiting = this.#waiting.get(sock);
    if (waiting) {
      // The socket could send when these began to wait, and anything that
      // ends that (close, shutdown, its 'closed' event) empties the queue.
      waiting.push(bytes);
      this.#tableChanged();
      return;
    }
    const now = core.takeSendCredit(sock, bytes.length);
    if (now < 0) {
      this.#call((c) => c.send(sock, bytes)); // throws why the socket cannot send
      return;
    }
    for (let offset = 0; offset < now; offset += this.#maxPayload) {
      const n = Math.min(this.#maxPayload, now - offset);
      this.#sendData(sock, n === bytes.length ? bytes : bytes.subarray(offset, offset + n));
    }
    if (now < bytes.length) {
      waiting = new WaitingBytes(this.#format.headerSize);
      this.#waiting.set(sock, waiting);
      waiting.push(now === 0 ? bytes : bytes.subarray(now));
    }
    this.#tableChanged();
  }

  #sendData(sock, payload) {
    const { headerSize, dataKind } = this.#format;
    const frame = this.#frameBuffer(headerSize + payload.length);
    frame[0] = dataKind;
    writeUint32(frame, 1, sock);
    frame.set(payload, headerSize);
    this.#socket.send(frame.subarray(0, headerSize + payload.length));
  }

  // After a WINDOW frame for `sock`: sends what the new credit allows of
  // the bytes waiting here (the core has sent its own queue first).
  #sendWaiting(sock) {
    const waiting = this.#waiting.get(sock);
    if (!waiting || !this.#core) return;
    let now = this.#core.takeSendCredit(sock, waiting.size);
    if (now < 0) {
      // It can no longer send; the event that ended it has said why.
      this.#waiting.delete(sock);
      return;
    }
    while (now > 0) {
      const n = Math.min(now, this.#maxPayload);
      this.#socket.send(waiting.frame(this.#format.dataKind, sock, n));
      waiting.drop(n);
      now -= n;
    }
    if (waiting.size === 0) {
      this.#waiting.delete(sock);
      this.#emit('drained', { sock });
    }
    this.#tableChanged();
  }

  // Moves the bytes waiting here for `sock` behind the core's own queue.
  #handOver(sock) {
    const waiting = this.#waiting.get(sock);
    if (!waiting) return;
    this.#waiting.delete(sock);
    this.#core?.send(sock, waiting.frame(this.#format.dataKind, sock, waiting.size).subarray(this.#format.headerSize));
  }

  #withWaiting(rows) {
    for (const row of rows) {
      const waiting = this.#waiting.get(row.id);
      if (waiting) row.queued += waiting.size;
    }
    return rows;
  }

  // Writes one DATAGRAM frame: kind, socket, family, address, port, payload.
  #sendDatagram(sock, ip, port, bytes) {
    const family = ip.length === 4 ? 4 : 6;
    this.#call((core) => core.takeDatagramSend(sock, family, bytes.length)); // so it fits a frame
    const { headerSize, datagramKind } = this.#format;
    const at = headerSize + 1 + ip.length + 2;
    const frame = this.#frameBuffer(at + bytes.length);
    frame[0] = datagramKind;
    writeUint32(frame, 1, sock);
    frame[headerSize] = family;
    frame.set(ip, headerSize + 1);
    frame[at - 2] = port >>> 8;
    frame[at - 1] = port & 0xff;
    frame.set(bytes, at);
    this.#socket.send(frame.subarray(0, at + bytes.length));
    this.#tableChanged();
  }

  // Room for a frame of `size` bytes: the shared buffer, made for the
  // largest frame the gateway accepts.
  #frameBuffer(size) {
    this.#scratch ??= new Uint8Array(this.#format.headerSize + this.#maxPayload);
    return size <= this.#scratch.length ? this.#scratch : new Uint8Array(size);
  }

  #destination(addr) {
    if (typeof addr !== 'string') return null;
    let ip = this.#destinations.get(addr);
    if (ip === undefined) {
      // Bounded: a program that writes to many addresses stays correct.
      if (this.#destinations.size >= 256) this.#destinations.clear();
      ip = this.#format.addressBytes(addr);
      this.#destinations.set(addr, ip);
    }
    return ip;
  }

  #onMessage(data) {
    const core = this.#core;
    if (!core) return;
    if (typeof data === 'string') {
      core.transportText(data);
      return;
    }
    const frame = new Uint8Array(data);
    if (this.#wireTap || !(this.#readData(core, frame) || this.#readWindow(core, frame) || this.#readDatagram(core, frame))) {
      core.transportBinary(frame);
    }
  }

  // A well-formed WINDOW frame, read here; false for anything else (a zero
  // increment is malformed, and the core reports it).
  #readWindow(core, frame) {
    const { headerSize, windowKind } = this.#format;
    if (frame.length !== headerSize + 4 || frame[0] !== windowKind) return false;
    const increment = readUint32(frame, headerSize);
    if (increment === 0) return false;
    const sock = readUint32(frame, 1);
    core.windowArrived(sock, increment); // the core sends its own queue first
    this.#sendWaiting(sock);
    return true;
  }

  // A DATA frame with a payload, read here; false for anything else (an
  // empty DATA frame is malformed, and the core reports it).
  #readData(core, frame) {
    const { headerSize, dataKind } = this.#format;
    if (frame.length <= headerSize || frame[0] !== dataKind) return false;
    const sock = readUint32(frame, 1);
    if (core.dataArrived(sock, frame.length - headerSize)) {
      this.#emit('data', { sock, bytes: frame.subarray(headerSize) });
    }
    this.#tableChanged();
    return true;
  }

  // A well-formed DATAGRAM frame, read here; false for anything else, which
  // the core decodes and reports.
  #readDatagram(core, frame) {
    const { headerSize, datagramKind, maxDatagram } = this.#format;
    if (frame.length <= headerSize || frame[0] !== datagramKind) return false;
    const family = frame[headerSize];
    const size = family === 4 ? 4 : family === 6 ? 16 : 0;
    const at = headerSize + 1 + size + 2;
    if (size === 0 || frame.length < at || frame.length - at > maxDatagram) return false;
    const sock = readUint32(frame, 1);
    if (core.datagramArrived(sock, frame.length - at)) {
      const addr = this.#sourceText(frame.subarray(headerSize + 1, headerSize + 1 + size));
      const port = (frame[at - 2] << 8) | frame[at - 1];
      this.#emit('datagram', { sock, from: { addr, port }, bytes: frame.subarray(at) });
    }
    this.#tableChanged();
    return true;
  }

  #sourceText(ip) {
    const last = this.#lastSource;
    if (!sameBytes(ip, last.bytes)) {
      last.bytes = ip.slice();
      last.text = this.#format.addressText(last.bytes);
    }
    return last.text;
  }

  #onEvent(name, payload) {
    try {
      switch (name) {
        case 'open':
          break;
        case 'hello':
          this.#onHello(payload);
          break;
        case 'reply':
          this.#onReply(payload);
          break;
        case 'sockets':
          this.#tableChanged();
          break;
        case 'wire':
          payload.time = performance.now();
          this.#wireQueue.push(payload);
          this.#scheduleFlush();
          break;
        case 'sessionclosed':
          this.#onSessionClosed(payload);
          break;
        case 'closed':
          this.#waiting.delete(payload.sock);
          this.#emit(name, payload);
          break;
        case 'drained':
          // The core's queue is empty; the socket has drained when ours is too.
          if (!this.#waiting.has(payload.sock)) this.#emit(name, payload);
          break;
        default: // data, datagram, accept, eof, error, badinput
          this.#emit(name, payload);
      }
    } catch (e) {
      reportLater(e);
    }
  }

  #onHello({ ok, info, error }) {
    const opening = this.#opening;
    this.#opening = null;
    if (!opening) return;
    if (ok) {
      this.info = info;
      this.#maxPayload = this.#core.maxPayload();
      opening.resolve();
      // Release the handshake's wire events once the caller has the session,
      // and from then on describe frames only for listeners.
      this.#flushScheduled = true;
      setTimeout(() => {
        this.#flush();
        this.#handshakeSeen = true;
        this.#updateWireTap();
      });
    } else {
      opening.reject(toError(error));
    }
  }

  #onReply({ id, ok, result, error }) {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (ok) pending.resolve(result);
    else pending.reject(toError(error));
  }

  #onSessionClosed({ code, reason, error }) {
    const core = this.#core;
    this.#finalSockets = this.#withWaiting(core.sockets());
    this.#waiting.clear();
    this.#core = null;
    this.#closedWith = { code, reason };
    if (this.#opening) {
      this.#opening.reject(toError(error ?? { code: 'ECONNRESET', message: 'session closed' }, {
        closeCode: code,
        closeReason: reason,
      }));
      this.#opening = null;
    }
    // The core has failed every request already; this only guards the map.
    for (const pending of this.#pending.values()) pending.reject(notConnected());
    this.#pending.clear();
    this.#tableChanged();
    this.#emit('sessionclosed', { code, reason });
    for (const resolve of this.#closeWaiters.splice(0)) resolve({ ...this.#closedWith });
    // Not now: the core is still on the stack, reporting this event.
    setTimeout(() => dispose(core));
  }

  // A listener added with `once` or a `signal` stays counted after it is
  // gone: the tap (or the 'sockets' event) then stays on, which costs time
  // but loses nothing.
  addEventListener(type, listener, options) {
    super.addEventListener(type, listener, options);
    if (Object.hasOwn(this.#listeners, type) && listener) {
      this.#listeners[type][capturing(options)].add(listener);
      if (type === 'wire') this.#updateWireTap();
    }
  }

  removeEventListener(type, listener, options) {
    super.removeEventListener(type, listener, options);
    if (Object.hasOwn(this.#listeners, type) && listener) {
      this.#listeners[type][capturing(options)].delete(listener);
      if (type === 'wire') this.#updateWireTap();
    }
  }

  #listened(type) {
    return this.#listeners[type].some((set) => set.size > 0);
  }

  #updateWireTap() {
    if (!this.#core || !this.#handshakeSeen) return;
    this.#wireTap = this.#listened('wire');
    // The core sends everything while the tap is on, so it takes the queue.
    if (this.#wireTap) for (const sock of [...this.#waiting.keys()]) this.#handOver(sock);
    this.#core.setWireTap(this.#wireTap);
  }

  #tableChanged() {
    if (!this.#listened('sockets')) return;
    this.#socketsChanged = true;
    this.#scheduleFlush();
  }

  #scheduleFlush() {
    if (this.#flushScheduled || this.#opening) return;
    this.#flushScheduled = true;
    queueMicrotask(() => this.#flush());
  }

  #flush() {
    this.#flushScheduled = false;
    for (const wire of this.#wireQueue.splice(0)) this.#emit('wire', wire);
    if (this.#socketsChanged) {
      this.#socketsChanged = false;
      this.#emit('sockets', {});
    }
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}

// Bytes waiting to be sent on one socket, in one buffer that grows as
// needed: copying into it costs less than an ArrayBuffer per write. It keeps
// room for a frame header before the first byte, so that a DATA frame is
// made in place, with no copy.
class WaitingBytes {
  #gap;
  #buffer;
  #head;
  #tail;

  constructor(headerSize) {
    this.#gap = headerSize;
    this.#buffer = new Uint8Array(0);
    this.#head = this.#tail = headerSize;
  }

  get size() {
    return this.#tail - this.#head;
  }

  push(bytes) {
    if (this.#tail + bytes.length > this.#buffer.length) this.#makeRoom(bytes.length);
    this.#buffer.set(bytes, this.#tail);
    this.#tail += bytes.length;
  }

  // The first n bytes as a DATA frame for `sock`: a view, valid until the
  // next push or drop.
  frame(kind, sock, n) {
    const at = this.#head - this.#gap;
    this.#buffer[at] = kind;
    writeUint32(this.#buffer, at + 1, sock);
    return this.#buffer.subarray(at, this.#head + n);
  }

  drop(n) {
    this.#head += n;
    if (this.#head === this.#tail) this.#head = this.#tail = this.#gap;
  }

  #makeRoom(n) {
    const size = this.size;
    const needed = this.#gap + size + n;
    if (needed <= this.#buffer.length) {
      this.#buffer.copyWithin(this.#gap, this.#head, this.#tail);
    } else {
      const bigger = new Uint8Array(Math.max(needed, 2 * this.#buffer.length, 64 * 1024));
      bigger.set(this.#buffer.subarray(this.#head, this.#tail), this.#gap);
      this.#buffer = bigger;
    }
    this.#head = this.#gap;
    this.#tail = this.#gap + size;
  }
}

// Big-endian, as the frame header has it; by hand, because a DataView per
// frame is an object per frame.
function readUint32(bytes, at) {
  return ((bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3]) >>> 0;
}

function writeUint32(bytes, at, value) {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

function sameBytes(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isPort(port) {
  return Number.isInteger(port) && port >= 0 && port <= 0xffff;
}

function isSocketId(sock) {
  return Number.isInteger(sock) && sock >= 0 && sock <= 0xffffffff;
}

// 1 for a listener added or removed with the capture flag, else 0.
function capturing(options) {
  return (typeof options === 'boolean' ? options : Boolean(options?.capture)) ? 1 : 0;
}

function dispose(core) {
  try {
    core.delete();
  } catch (e) {
    reportLater(e);
  }
}
