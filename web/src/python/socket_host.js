// The host side of a Python program's sockets: answers the blocking socket
// calls of one Python worker (web/src/python/sockfs.js) through one gateway
// session of the wasm client (web/src/sockgate.js).
//
// Each Python socket is a handle, numbered by the worker. The handle owns at
// most one gateway socket and keeps what CPython's kernel would keep: bytes
// received and not yet read, the queue of accepted connections, datagrams
// with their sources, EOF and the pending error. TCP sockets use manual
// credit, so the gateway never sends more than one window beyond what the
// program has read: a program that stops reading slows its peer down, as a
// full kernel buffer would.
//
// Calls come one at a time (the worker blocks in each), so at most one call
// waits here. A waiting call is retried after every session event and ends
// on its own timeout; 'cancel' (the program was interrupted) drops it.
//
// Replies are {ok: true, ...} or {errno: NAME, message}, with the errno
// names of docs/PROTOCOL.md; the worker maps them to CPython's exceptions.

const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;

// Sent bytes the client may queue for credit before send() blocks: a
// program that writes faster than its peer reads waits, as on a real socket.
const SEND_HIGH_WATER = 1 << 20;
// Datagrams kept per UDP socket before new ones are dropped, as a full
// receive buffer drops them.
const MAX_QUEUED_DATAGRAMS = 4096;

const SHUT_RD = 0;
const SHUT_WR = 1;

class Handle {
  constructor(h, kind) {
    this.h = h;
    this.kind = kind; // 'tcp' | 'udp'
    this.gsock = 0; // the gateway's socket id, once there is one
    this.role = null; // 'listener' | 'stream' | 'udp'
    this.local = null;
    this.remote = null;
    this.received = []; // Uint8Array chunks not yet read
    this.receivedBytes = 0;
    this.datagrams = []; // {from, bytes}
    this.droppedDatagrams = 0;
    this.accepted = []; // Handles of accepted connections, h still 0
    this.eof = false; // the peer sent FIN
    this.readShut = false;
    this.writeShut = false;
    this.gone = false; // the gateway ended the socket
    this.error = null; // {code, message}: reported once, like SO_ERROR
    this.connecting = false;
    this.manualCredit = false;
    this.unconsumed = 0; // bytes received under manual credit, not yet read
    this.pendingSends = []; // sent without waiting, not yet in the session
    this.pendingBytes = 0;
  }
}

const WILDCARDS = new Set(['', '0.0.0.0', '::', '::ffff:0.0.0.0']);
const loopbackFor = (wildcard) => (wildcard.includes(':') ? (wildcard === '::ffff:0.0.0.0' ? '::ffff:127.0.0.1' : '::1') : '127.0.0.1');

function failure(error) {
  return { errno: error?.code ?? 'EIO', message: error?.message ?? String(error) };
}

function concat(chunks, size) {
  if (chunks.length === 1 && chunks[0].length === size) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class PythonSocketHost extends EventTarget {
  #session;
  #ledger; // what the worker sent without waiting (channel.js)
  #handles = new Map(); // h -> Handle
  #byGsock = new Map(); // gateway socket id -> Handle
  // Events for gateway sockets whose reply has not been taken up yet. The
  // gateway sends a connect reply before the socket's first data, but a
  // reply settles a Promise, whose continuation may run after later
  // messages of the same read (Node's ws delivers them in one go).
  #early = new Map(); // gateway socket id -> Handle holding what arrived
  #waiting = null; // {seq, attempt, timer, reply}
  #closing = new Set(); // graceful closes still sending what was sent before
  #stdinLines = [];
  #stdinClosed = false;
  #ended = null; // {code, reason} once the session is gone

  // session: an open SockgateSession that this host alone uses; ledger: the
  // SendLedger over the worker's call buffer.
  constructor(session, ledger) {
    super();
    this.#session = session;
    this.#ledger = ledger;
    const on = (name, fn) => session.addEventListener(name, (e) => {
      fn(e.detail);
      this.#retry();
    });
    on('data', ({ sock, bytes }) => {
      const s = this.#target(sock);
      s.received.push(bytes);
      s.receivedBytes += bytes.length;
      if (s.manualCredit) s.unconsumed += bytes.length;
    });
    on('datagram', ({ sock, from, bytes }) => {
      const s = this.#target(sock);
      if (s.datagrams.length >= MAX_QUEUED_DATAGRAMS) s.droppedDatagrams++;
      else s.datagrams.push({ from, bytes });
    });
    on('accept', ({ listener, sock, local, remote }) => {
      const l = this.#target(listener);
      const s = new Handle(0, 'tcp');
      s.role = 'stream';
      s.gsock = sock;
      s.local = local;
      s.remote = remote;
      this.#byGsock.set(sock, s);
      this.#manualCredit(s);
      l.accepted.push(s);
    });
    on('eof', ({ sock }) => {
      this.#target(sock).eof = true;
    });
    on('closed', ({ sock, error }) => {
      const s = this.#target(sock);
      s.gone = true;
      if (error) s.error = error;
      else s.eof = true;
      this.#troubled(s);
    });
    on('drained', ({ sock }) => {
      const s = this.#byGsock.get(sock);
      if (s) this.#flushSends(s);
    });
    on('sessionclosed', ({ code, reason }) => {
      this.#ended = { code, reason };
      for (const s of this.#handles.values()) {
        s.gone = true;
        s.error ??= { code: 'ENETDOWN', message: `the gateway session ended (${code}${reason ? ` ${reason}` : ''})` };
        this.#troubled(s);
      }
    });
  }

  get session() {
    return this.#session;
  }

  // ---- stdin for input(): lines typed by the user ----

  provideInput(text) {
    this.#stdinLines.push(String(text));
    this.#retry();
  }

  closeInput() {
    this.#stdinClosed = true;
    this.#retry();
  }

  get waitingForInput() {
    return this.#waiting?.op === 'stdin';
  }

  // The call the program is blocked in ('accept', 'recv', 'poll', 'stdin',
  // 'sleep', ...), or null while it runs.
  get blockedIn() {
    return this.#waiting?.op ?? null;
  }

  // ---- calls from the worker ----

  // Handles one call; reply(seq, result, bytes) is called exactly once,
  // unless the call is cancelled first.
  call(seq, op, args, reply) {
    const method = this.#ops[op];
    if (!method) {
      reply(seq, { errno: 'ENOSYS', message: `unknown call ${op}` });
      return;
    }
    let result;
    try {
      result = method.call(this, args);
    } catch (e) {
      reply(seq, failure(e));
      return;
    }
    if (typeof result === 'function') {
      this.#wait(seq, op, result, args.timeoutMs ?? -1, reply);
    } else {
      Promise.resolve(result).then(
        (r) => (Array.isArray(r) ? reply(seq, r[0], r[1]) : reply(seq, r)),
        (e) => reply(seq, failure(e)),
      );
    }
  }

  cancel(seq) {
    if (this.#waiting?.seq !== seq) return;
    clearTimeout(this.#waiting.timer);
    if (this.#waiting.op === 'stdin') this.dispatchEvent(new CustomEvent('inputwait', { detail: { waiting: false } }));
    this.#waiting = null;
  }

  // Closes every gateway socket of the program (its session stays open).
  // graceful: as when a process exits, bytes already sent still go out,
  // then FIN; resolves when that is done (or the session is gone).
  closeAll({ graceful = false } = {}) {
    if (this.#waiting) this.cancel(this.#waiting.seq);
    const closing = [...this.#handles.values()].map((s) => this.#closeHandle(s, { graceful }));
    this.#handles.clear();
    this.#early.clear();
    // Sockets the program closed itself may still be sending, too.
    return Promise.all([...closing, ...this.#closing]);
  }

  // Bytes the worker posted without waiting (see channel.js).
  sendWithoutWaiting(h, bytes) {
    const s = this.#handles.get(h);
    if (!s || s.role !== 'stream' || s.connecting || s.gone || s.writeShut || s.error) {
      // The worker's next send() on it waits for an answer and raises.
      this.#ledger.taken(bytes.length);
      if (s) this.#troubled(s);
      return;
    }
    s.pendingSends.push(bytes);
    s.pendingBytes += bytes.length;
    this.#flushSends(s);
  }

  // A blocking call: attempt() returns the reply when it can be given,
  // undefined while it must wait. timeoutMs < 0 waits for ever (the worker
  // still abandons it on an interrupt).
  #wait(seq, op, attempt, timeoutMs, reply) {
    const done = (r) => {
      if (Array.isArray(r)) reply(seq, r[0], r[1]);
      else reply(seq, r);
    };
    const first = attempt(timeoutMs === 0);
    if (first !== undefined) return done(first);
    const waiting = { seq, op, attempt, done, timer: null };
    if (timeoutMs > 0) {
      waiting.timer = setTimeout(() => {
        if (this.#waiting !== waiting) return;
        this.#waiting = null;
        done(attempt(true) ?? { errno: 'ETIMEDOUT', message: 'timed out' });
      }, timeoutMs);
    }
    this.#waiting = waiting;
    if (op === 'stdin') this.dispatchEvent(new CustomEvent('inputwait', { detail: { waiting: true } }));
  }

  #retry() {
    const w = this.#waiting;
    if (!w) return;
    let r;
    try {
      r = w.attempt(false);
    } catch (e) {
      r = failure(e);
    }
    if (r === undefined) return;
    clearTimeout(w.timer);
    this.#waiting = null;
    if (w.op === 'stdin') this.dispatchEvent(new CustomEvent('inputwait', { detail: { waiting: false } }));
    w.done(r);
  }

  #handle(h) {
    const s = this.#handles.get(h);
    if (!s) throw Object.assign(new Error(`socket ${h} is not open`), { code: 'EBADF' });
    return s;
  }

  // From now on the gateway gets credit back only as the program reads.
  // (Bytes that arrived before were granted back automatically.)
  #manualCredit(s) {
    try {
      this.#session.setManualCredit(s.gsock, true);
      s.manualCredit = true;
    } catch {
      // The socket ended already; its 'closed' event tells the program.
    }
  }

  // The handle a gateway socket's event belongs to; one that holds the
  // event until its socket is adopted if the reply has not been taken up.
  #target(gsock) {
    let s = this.#byGsock.get(gsock);
    if (!s) {
      s = this.#early.get(gsock) ?? new Handle(0, 'tcp');
      this.#early.set(gsock, s);
    }
    return s;
  }

  #adopt(s, gsock) {
    s.gsock = gsock;
    this.#byGsock.set(gsock, s);
    const early = this.#early.get(gsock);
    if (!early) return;
    this.#early.delete(gsock);
    s.received.push(...early.received);
    s.receivedBytes += early.receivedBytes;
    s.datagrams.push(...early.datagrams);
    s.accepted.push(...early.accepted);
    s.eof ||= early.eof;
    s.gone ||= early.gone;
    s.error ??= early.error;
  }

  // Passes waiting bytes to the session while it has room for them (all of
  // them with force), then wakes a worker waiting for room.
  #flushSends(s, force = false) {
    while (s.pendingSends.length && (force || this.#session.queued(s.gsock) < SEND_HIGH_WATER)) {
      const bytes = s.pendingSends.shift();
      s.pendingBytes -= bytes.length;
      this.#ledger.taken(bytes.length);
      if (s.gone || s.error) continue;
      try {
        this.#session.send(s.gsock, bytes);
      } catch (e) {
        s.error ??= { code: e.code, message: e.message };
        this.#troubled(s);
      }
    }
    this.#retry();
  }

  #troubled(s) {
    if (s.h) this.#ledger.troubled(s.h);
    if (s.gone || s.error) {
      this.#ledger.taken(s.pendingBytes);
      s.pendingSends = [];
      s.pendingBytes = 0;
    }
  }

  // graceful: bytes already sent go out before FIN, as when a process
  // closes a socket or exits; resolves once the gateway has closed it.
  async #closeHandle(s, { graceful = true } = {}) {
    for (const a of s.accepted) this.#closeHandle(a, { graceful: false });
    s.accepted = [];
    const gsock = s.gsock;
    const open = gsock && !s.gone && !this.#ended;
    s.gone = true;
    if (open && graceful && s.role === 'stream' && (s.pendingBytes || this.#session.queued(gsock))) {
      s.gone = false;
      this.#flushSends(s, true);
      s.gone = true;
      if (!s.writeShut) await this.#session.shutdown(gsock).catch(() => {});
    } else {
      this.#ledger.taken(s.pendingBytes);
      s.pendingSends = [];
      s.pendingBytes = 0;
    }
    if (gsock) this.#byGsock.delete(gsock);
    if (open && !this.#ended) await this.#session.close(gsock).catch(() => {});
  }

  // Takes the pending error, as getsockopt(SO_ERROR) and a failed call do.
  #takeError(s) {
    const e = s.error;
    s.error = null;
    return e;
  }

  #revents(s, events) {
    if (!s) return POLLNVAL;
    let r = 0;
    if (s.role === 'listener') {
      if (s.accepted.length) r |= POLLIN;
      if (s.error) r |= POLLERR;
    } else if (s.role === 'udp') {
      if (s.datagrams.length) r |= POLLIN;
      r |= POLLOUT;
      if (s.error) r |= POLLERR;
    } else if (s.role === 'stream') {
      if (s.connecting) return 0;
      if (s.receivedBytes || s.eof || s.readShut || s.gone) r |= POLLIN;
      if (!s.writeShut && !s.gone && s.pendingBytes + this.#session.queued(s.gsock) < SEND_HIGH_WATER) r |= POLLOUT;
      if (s.error) r |= POLLERR;
      if (s.gone || (s.eof && s.writeShut)) r |= POLLHUP;
    } else if (s.error) {
      // A connect that failed.
      r |= POLLOUT | POLLERR | POLLHUP;
    } else {
      // A fresh socket: Linux reports an unconnected TCP socket as hung up.
      r |= s.kind === 'udp' ? POLLOUT : POLLOUT | POLLHUP;
    }
    return r & (events | POLLERR | POLLHUP | POLLNVAL);
  }

  #view(s) {
    return { local: s.local, remote: s.remote, error: s.error?.code ?? null };
  }

  #ops = {
    socket({ h, kind }) {
      if (this.#handles.has(h)) return { errno: 'EBADF', message: `socket ${h} exists` };
      this.#handles.set(h, new Handle(h, kind));
      this.#ledger.clear(h);
      return { ok: true };
    },

    async connect({ h, host, port, block }) {
      const s = this.#handle(h);
      if (s.role === 'stream' || s.connecting) return { errno: s.connecting ? 'EALREADY' : 'EISCONN' };
      if (s.kind === 'udp') return this.#connectUdp(s, host, port);
      if (s.role === 'listener') {
        // A bound socket that connects after all: give up the listener.
        this.#closeHandle(s);
        s.gone = false;
        s.role = null;
      }
      s.connecting = true;
      s.role = 'stream';
      const attempt = this.#session.connect(host, port).then(
        ({ sock, local, remote }) => {
          s.connecting = false;
          this.#adopt(s, sock);
          this.#manualCredit(s);
          s.local = local;
          s.remote = remote;
          this.#retry();
          return { ok: true, local, remote };
        },
        (error) => {
          s.connecting = false;
          s.role = null;
          s.error = { code: error.code, message: error.message };
          this.#retry();
          return failure(error);
        },
      );
      if (!block) return { errno: 'EINPROGRESS', message: 'connecting' };
      const r = await attempt;
      if (r.errno) s.error = null; // reported by this call
      return r;
    },

    async bind({ h, host, port }) {
      const s = this.#handle(h);
      if (s.role) return { errno: 'EINVAL', message: 'the socket is bound already' };
      if (s.kind === 'udp') {
        const { sock, local } = await this.#open('bind', host, port);
        s.role = 'udp';
        this.#adopt(s, sock);
        s.local = local;
        return { ok: true, local };
      }
      // The gateway binds and listens in one step. Listening from bind()
      // on reserves the port at once, so bind() fails where CPython's
      // does (EADDRINUSE, EACCES); listen() then only confirms it.
      const { sock, local } = await this.#open('listen', host, port);
      s.role = 'listener';
      this.#adopt(s, sock);
      s.local = local;
      return { ok: true, local };
    },

    async listen({ h }) {
      const s = this.#handle(h);
      if (s.role === 'listener') return { ok: true, local: s.local };
      if (s.role) return { errno: 'EINVAL', message: 'the socket is connected' };
      const { sock, local } = await this.#open('listen', '0.0.0.0', 0);
      s.role = 'listener';
      this.#adopt(s, sock);
      s.local = local;
      return { ok: true, local };
    },

    accept({ h, newH }) {
      const s = this.#handle(h);
      if (s.role !== 'listener') return { errno: 'EINVAL', message: 'accept() on a socket that is not listening' };
      return (noWait) => {
        const next = s.accepted.shift();
        if (next) {
          next.h = newH;
          this.#handles.set(newH, next);
          this.#ledger.clear(newH);
          if (next.gone || next.error) this.#troubled(next);
          return { ok: true, local: next.local, remote: next.remote };
        }
        if (s.error) return failure(this.#takeError(s));
        if (s.gone) return { errno: 'EBADF', message: 'the listener was closed' };
        return noWait ? { errno: 'EAGAIN' } : undefined;
      };
    },

    recv({ h, max, peek }) {
      const s = this.#handle(h);
      if (s.role === 'udp') return this.#ops.recvfrom.call(this, { h, max, peek });
      if (s.role !== 'stream') return { errno: 'ENOTCONN', message: 'the socket is not connected' };
      return (noWait) => {
        if (s.connecting) return noWait ? { errno: 'EAGAIN' } : undefined;
        if (s.receivedBytes) return [{ ok: true }, this.#take(s, max, peek)];
        if (s.error) return failure(this.#takeError(s));
        if (s.eof || s.readShut || s.gone) return { ok: true, eof: true };
        return noWait ? { errno: 'EAGAIN' } : undefined;
      };
    },

    recvfrom({ h, max, peek }) {
      const s = this.#handle(h);
      if (s.role === 'stream') {
        const inner = this.#ops.recv.call(this, { h, max, peek });
        if (typeof inner !== 'function') return inner;
        return (noWait) => {
          const r = inner(noWait);
          if (Array.isArray(r)) r[0].from = s.remote;
          return r;
        };
      }
      if (s.role !== 'udp') {
        return s.kind === 'udp' ? { errno: 'EINVAL', message: 'recvfrom() before bind() or sendto()' } : { errno: 'ENOTCONN' };
      }
      return (noWait) => {
        const d = s.datagrams[0];
        if (d) {
          if (!peek) s.datagrams.shift();
          return [{ ok: true, from: d.from }, d.bytes.length > max ? d.bytes.subarray(0, max) : d.bytes];
        }
        if (s.error) return failure(this.#takeError(s));
        if (s.gone) return { errno: 'EBADF' };
        return noWait ? { errno: 'EAGAIN' } : undefined;
      };
    },

    send({ h, bytes }) {
      const s = this.#handle(h);
      if (s.role === 'udp') {
        if (!s.remote) return { errno: 'EDESTADDRREQ', message: 'send() on an unconnected UDP socket' };
        return this.#ops.sendto.call(this, { h, host: s.remote.addr, port: s.remote.port, bytes });
      }
      if (s.role !== 'stream' || s.connecting) return { errno: s.connecting ? 'EAGAIN' : 'ENOTCONN' };
      if (s.error) return failure(this.#takeError(s));
      if (s.writeShut || s.gone) return { errno: 'EPIPE', message: 'the socket is shut down for writing' };
      return (noWait) => {
        if (s.error) return failure(this.#takeError(s));
        if (s.gone) return { errno: 'EPIPE' };
        if (s.pendingBytes + this.#session.queued(s.gsock) >= SEND_HIGH_WATER) return noWait ? { errno: 'EAGAIN' } : undefined;
        this.#session.send(s.gsock, bytes);
        return { ok: true, sent: bytes.length };
      };
    },

    // The worker has too much in flight: answers once the host has taken
    // half of it into the session.
    flush() {
      return (noWait) => {
        if (this.#ledger.inFlight <= SEND_HIGH_WATER / 2) return { ok: true };
        return noWait ? { errno: 'EAGAIN' } : undefined;
      };
    },

    async sendto({ h, host, port, bytes }) {
      const s = this.#handle(h);
      if (s.kind !== 'udp') {
        if (s.role === 'stream') return this.#ops.send.call(this, { h, bytes });
        return { errno: 'ENOTCONN' };
      }
      if (!s.role) {
        // An unbound UDP socket gets an address on its first datagram.
        const { sock, local } = await this.#open('bind', '0.0.0.0', 0);
        s.role = 'udp';
        this.#adopt(s, sock);
        s.local = local;
      }
      this.#session.sendTo(s.gsock, host, port, bytes);
      return { ok: true, sent: bytes.length, local: s.local };
    },

    async shutdown({ h, how }) {
      const s = this.#handle(h);
      if (s.role !== 'stream' || s.connecting) return { errno: 'ENOTCONN' };
      if (how !== SHUT_WR) s.readShut = true;
      if (how !== SHUT_RD && !s.writeShut) {
        this.#flushSends(s, true);
        s.writeShut = true;
        this.#troubled(s);
        if (!s.gone) await this.#session.shutdown(s.gsock).catch(() => {});
      }
      return { ok: true };
    },

    close({ h }) {
      const s = this.#handles.get(h);
      if (!s) return { errno: 'EBADF' };
      this.#handles.delete(h);
      const closed = this.#closeHandle(s, { graceful: true });
      this.#closing.add(closed);
      closed.finally(() => this.#closing.delete(closed));
      return { ok: true };
    },

    // items: [{h, events}] -> {revents: [...], sockets: {h: view}}
    poll({ items }) {
      return (noWait) => {
        const revents = items.map(({ h, events }) => this.#revents(this.#handles.get(h), events));
        if (!noWait && revents.every((r) => r === 0)) return undefined;
        const sockets = {};
        for (const { h } of items) {
          const s = this.#handles.get(h);
          if (s) sockets[h] = this.#view(s);
        }
        return { ok: true, revents, sockets };
      };
    },

    // What a non-blocking connect left: getsockopt(SO_ERROR) takes its
    // error; settle waits until the connect has finished.
    status({ h, settle = false, take = true }) {
      const s = this.#handle(h);
      const answer = () => {
        const view = this.#view(s);
        if (take) this.#takeError(s);
        return { ok: true, ...view };
      };
      if (!settle) return answer();
      return (noWait) => (s.connecting && !noWait ? undefined : answer());
    },

    available({ h }) {
      const s = this.#handle(h);
      return { ok: true, bytes: s.role === 'udp' ? (s.datagrams[0]?.bytes.length ?? 0) : s.receivedBytes };
    },

    async resolve({ host }) {
      const { addrs } = await this.#session.resolve(host);
      return { ok: true, addrs };
    },

    // time.sleep(): here rather than in the worker, so that the host knows
    // the program is waiting.
    sleep() {
      return (noWait) => (noWait ? { ok: true } : undefined);
    },

    stdin() {
      return () => {
        if (this.#stdinLines.length) return { ok: true, text: this.#stdinLines.shift() };
        if (this.#stdinClosed) return { ok: true, eof: true };
        return undefined;
      };
    },
  };

  // A listener (TCP) or bound socket (UDP) on host:port. Programs
  // habitually bind the wildcard address ('' or 0.0.0.0), which a gateway
  // that lets sessions listen on loopback only refuses: then take loopback,
  // and report the wildcard as the local address, as the kernel would (the
  // C++ programs' POSIX layer does the same, wasm/posix/operations.cpp).
  async #open(op, host, port) {
    const open = (h) => (op === 'listen' ? this.#session.listen(h, port) : this.#session.bind(h, port));
    try {
      return await open(host);
    } catch (e) {
      if (e.code !== 'EACCES' || !WILDCARDS.has(host ?? '')) throw e;
      const r = await open(loopbackFor(host ?? ''));
      return { ...r, local: { addr: host || '0.0.0.0', port: r.local.port } };
    }
  }

  async #connectUdp(s, host, port) {
    if (!s.role) {
      const { sock, local } = await this.#open('bind', '0.0.0.0', 0);
      s.role = 'udp';
      this.#adopt(s, sock);
      s.local = local;
    }
    s.remote = { addr: host, port };
    return { ok: true, local: s.local, remote: s.remote };
  }

  // Takes up to max bytes of what a stream received (all of it stays when
  // peeking) and grants the credit for what was taken.
  #take(s, max, peek) {
    const size = Math.min(max, s.receivedBytes);
    const parts = [];
    let need = size;
    let i = 0;
    while (need > 0) {
      const c = s.received[i];
      const part = c.length <= need ? c : c.subarray(0, need);
      parts.push(part);
      need -= part.length;
      if (!peek) {
        if (part.length === c.length) i++;
        else s.received[i] = c.subarray(part.length);
      } else {
        i++;
      }
    }
    const bytes = concat(parts, size);
    if (!peek) {
      s.received.splice(0, i);
      s.receivedBytes -= size;
      const granted = Math.min(size, s.unconsumed);
      if (granted && !s.gone) {
        s.unconsumed -= granted;
        try {
          this.#session.consume(s.gsock, granted);
        } catch {
          // The socket ended meanwhile; nothing to grant.
        }
      }
    }
    return bytes;
  }
}
