// Real sockets for CPython in Pyodide: a backend for Emscripten's socket
// layer (SOCKFS) whose operations are blocking calls to the host
// (socket_host.js) over the call channel (channel.js).
//
// CPython's own _socket and select modules stay as they are; they call the
// C library, whose socket syscalls Emscripten implements in JS on top of
// SOCKFS. Each socket SOCKFS creates carries `sock_ops`, and that is where
// this file plugs in: socket(), bind(), connect(), accept(), send(), recv(),
// poll() and friends end up here, and block the worker until the host, which
// owns the gateway session, answers. The syscall glue reads a few fields of
// the socket object directly, so those keep Emscripten's names: saddr/sport
// (getsockname), daddr/dport (getpeername, accept), error (SO_ERROR).
//
// What SOCKFS cannot see is caught at the wasm import level, before Pyodide
// is instantiated (hookInstantiate): poll's timeout (Emscripten's poll never
// waits; select() and socket timeouts need it to), recv's flags (MSG_PEEK,
// MSG_DONTWAIT), getaddrinfo (names are resolved by the gateway, not mapped
// to Emscripten's made-up 172.29.x.x addresses) and getsockopt (SO_ERROR
// after a non-blocking connect, options set earlier).
//
// These are Pyodide's and Emscripten's private internals: package.json pins
// the Pyodide version, and tests/python/ checks the behaviour.

import { REPLY_CAPACITY } from './channel.js';

const AF_INET = 2;
const AF_INET6 = 10;
const SOCK_STREAM = 1;
const SOCK_DGRAM = 2;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const MSG_PEEK = 0x2;
const MSG_DONTWAIT = 0x40;
const FIONREAD = 0x541b;
const FIONBIO = 0x5421;
const F_GETFL = 3;
const F_SETFL = 4;
const AI_NUMERICHOST = 0x4;
const EAI_NONAME = -2;
const EAI_AGAIN = -3;
const EAI_FAMILY = -6;
const SOL_SOCKET = 1;
const SO_TYPE = 3;
const SO_ERROR = 4;
// Options that read back 0 before a program sets them: SO_REUSEADDR,
// SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE, SO_REUSEPORT, TCP_NODELAY.
const OFF_BY_DEFAULT = new Set(['1:2', '1:6', '1:9', '1:10', '1:15', '6:1']);
const POLLIN = 0x1;
const POLLOUT = 0x4;
const POLLERR = 0x8;
const POLLHUP = 0x10;
const POLLNVAL = 0x20;

// One send() hands at most this much to the host; sendall() loops.
const MAX_SEND = 4 << 20;
// Bytes sent without waiting that may be on their way to the host before
// send() waits for room (channel.js).
const SEND_IN_FLIGHT = 1 << 20;
// Room left in a reply for its JSON next to the bytes.
const MAX_RECV = REPLY_CAPACITY - 4096;

const SOCKET_NODE_MODE = 0o140000;

function isNumericAddress(name) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

// Wraps WebAssembly.instantiate(Streaming) so that the Pyodide module gets
// the import overrides below. Must run before loadPyodide().
// runtime: {module: null until loaded, resolve(name) -> {addrs}|{errno}, recvFlags}
export function hookInstantiate(runtime) {
  const patch = (imports) => {
    const env = imports?.env;
    if (!env || typeof env.__syscall_recvfrom !== 'function' || typeof env.getaddrinfo !== 'function') return;
    overrideImports(env, runtime);
  };
  const { instantiate, instantiateStreaming } = WebAssembly;
  WebAssembly.instantiate = function (source, imports, ...rest) {
    patch(imports);
    return instantiate.call(this, source, imports, ...rest);
  };
  if (instantiateStreaming) {
    WebAssembly.instantiateStreaming = function (source, imports, ...rest) {
      patch(imports);
      return instantiateStreaming.call(this, source, imports, ...rest);
    };
  }
}

function overrideImports(env, runtime) {
  const recvfrom = env.__syscall_recvfrom;
  env.__syscall_recvfrom = (fd, buf, len, flags, addr, addrlen) => {
    runtime.recvFlags = flags;
    try {
      return recvfrom(fd, buf, len, flags, addr, addrlen);
    } finally {
      runtime.recvFlags = 0;
    }
  };

  const getaddrinfo = env.getaddrinfo;
  env.getaddrinfo = (node, service, hint, out) => {
    const M = runtime.module;
    if (!M || !node) return getaddrinfo(node, service, hint, out);
    const name = M.UTF8ToString(node);
    const flags = hint ? M.HEAP32[hint >> 2] : 0;
    const family = hint ? M.HEAP32[(hint + 4) >> 2] : 0;
    if (isNumericAddress(name) || flags & AI_NUMERICHOST) return getaddrinfo(node, service, hint, out);
    const r = runtime.resolve(name);
    if (r.errno) return r.errno === 'ETIMEDOUT' || r.errno === 'EAGAIN' ? EAI_AGAIN : EAI_NONAME;
    const v4 = r.addrs.find((a) => !a.includes(':'));
    const v6 = r.addrs.find((a) => a.includes(':'));
    const pick = family === AF_INET6 ? v6 : family === AF_INET ? v4 : (v4 ?? v6);
    if (!pick) return family ? EAI_FAMILY : EAI_NONAME;
    const numeric = M.stringToNewUTF8(pick);
    try {
      return getaddrinfo(numeric, service, hint, out);
    } finally {
      M._free(numeric);
    }
  };

  const poll = env.__syscall_poll;
  env.__syscall_poll = (fds, nfds, timeout) =>
    runtime.poll ? runtime.poll(fds, nfds, timeout) : poll(fds, nfds, timeout);

  // A non-blocking connect learns its addresses when it completes; until
  // then getsockname/getpeername wait for it (Linux knows them at once).
  for (const name of ['__syscall_getsockname', '__syscall_getpeername']) {
    const original = env[name];
    env[name] = (fd, ...rest) => {
      runtime.settleConnect?.(fd);
      return original(fd, ...rest);
    };
  }

  const getsockopt = env.__syscall_getsockopt;
  env.__syscall_getsockopt = (fd, level, optname, optval, optlen, d1) => {
    const M = runtime.module;
    const sock = M?.SOCKFS.getSocket(fd);
    if (sock?.sockgate) {
      const value = sock.sock_ops.getsockopt(sock, level, optname);
      if (value !== undefined) {
        M.HEAP32[optval >> 2] = value;
        M.HEAP32[optlen >> 2] = 4;
        return 0;
      }
    }
    return getsockopt(fd, level, optname, optval, optlen, d1);
  };
}

// Installs the socket backend into a loaded Pyodide. errno: {NAME: number}
// as Pyodide's errno module numbers them.
export function installSockets({ Module, channel, errno, runtime }) {
  const { FS, SOCKFS } = Module;
  const code = (name) => errno[name] ?? errno.EIO;
  const raise = (name) => {
    throw new FS.ErrnoError(code(name));
  };

  let nextHandle = 1;

  // A blocking call; an interrupt turns into EINTR, on which CPython checks
  // its signals and raises KeyboardInterrupt.
  function call(op, args, transfer) {
    const r = channel.call(op, args, transfer);
    if (!r) raise('EINTR');
    return r;
  }
  const check = (r) => {
    if (r.reply.errno) raise(r.reply.errno);
    return r.reply;
  };
  const blocking = (sock) => !(sock.stream.flags & O_NONBLOCK);
  const timeout = (sock, flags = 0) => (blocking(sock) && !(flags & MSG_DONTWAIT) ? -1 : 0);

  function setEndpoints(sock, view) {
    if (!view) return;
    if (view.local && view.remote) {
      sock.connecting = false;
      sock.established = true;
    }
    if (view.local) {
      sock.saddr = view.local.addr;
      sock.sport = view.local.port;
    }
    if (view.remote) {
      sock.daddr = view.remote.addr;
      sock.dport = view.remote.port;
    }
  }

  function createSocket(family, type, protocol, handle = 0) {
    if (family !== AF_INET && family !== AF_INET6) raise('EAFNOSUPPORT');
    const flags = type;
    type &= ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (type !== SOCK_STREAM && type !== SOCK_DGRAM) raise('EINVAL');
    const sock = {
      sockgate: true,
      family,
      type,
      protocol,
      h: handle || nextHandle++,
      saddr: null,
      sport: 0,
      daddr: null,
      dport: 0,
      error: null,
      options: new Map(), // integer options set with setsockopt: "level:name" -> value
      connecting: false, // a non-blocking connect is under way
      established: false, // connected: send() may go without waiting
      sock_ops: ops,
    };
    if (!handle) check(call('socket', { h: sock.h, kind: type === SOCK_STREAM ? 'tcp' : 'udp' }));
    const name = SOCKFS.nextname();
    const node = FS.createNode(SOCKFS.root, name, SOCKET_NODE_MODE, 0);
    node.sock = sock;
    sock.stream = FS.createStream({ path: name, node, flags: 2, seekable: false, stream_ops: SOCKFS.stream_ops });
    if (flags & SOCK_NONBLOCK) sock.stream.flags |= O_NONBLOCK;
    return sock;
  }

  function poll(items, timeoutMs) {
    const r = channel.call('poll', { items, timeoutMs });
    if (!r) return null;
    return r.reply;
  }

  const ops = {
    poll(sock) {
      const r = poll([{ h: sock.h, events: 0xffff }], 0);
      if (!r || r.errno) return 0;
      setEndpoints(sock, r.sockets[sock.h]);
      return r.revents[0];
    },

    ioctl(sock, request, argp) {
      if (request === FIONREAD) {
        Module.HEAP32[argp >> 2] = check(call('available', { h: sock.h })).bytes;
        return 0;
      }
      if (request === FIONBIO) {
        if (Module.HEAP32[argp >> 2]) sock.stream.flags |= O_NONBLOCK;
        else sock.stream.flags &= ~O_NONBLOCK;
        return 0;
      }
      return -code('EINVAL');
    },

    fcntl64(sock, cmd, argp) {
      if (cmd === F_GETFL) return sock.stream.flags;
      if (cmd === F_SETFL) {
        const wanted = Module.HEAP32[argp >> 2];
        sock.stream.flags = (sock.stream.flags & ~O_NONBLOCK) | (wanted & O_NONBLOCK);
        return 0;
      }
      return -code('EINVAL');
    },

    // The options CPython cannot answer itself; undefined for the rest.
    getsockopt(sock, level, optname) {
      if (level === SOL_SOCKET && optname === SO_ERROR) {
        // Takes the error a non-blocking connect left, as the kernel does.
        const r = check(call('status', { h: sock.h }));
        setEndpoints(sock, r);
        return r.error ? code(r.error) : 0;
      }
      if (level === SOL_SOCKET && optname === SO_TYPE) return sock.type;
      const key = `${level}:${optname}`;
      if (sock.options.has(key)) return sock.options.get(key);
      // Off until set, as on Linux.
      return OFF_BY_DEFAULT.has(key) ? 0 : undefined;
    },

    bind(sock, addr, port) {
      const r = check(call('bind', { h: sock.h, host: addr, port }));
      setEndpoints(sock, r);
    },

    connect(sock, addr, port) {
      const r = call('connect', { h: sock.h, host: addr, port, block: blocking(sock) }).reply;
      if (r.errno === 'EINPROGRESS') {
        sock.daddr = addr;
        sock.dport = port;
        sock.connecting = true;
      }
      if (r.errno) raise(r.errno);
      setEndpoints(sock, r);
    },

    listen(sock, backlog) {
      setEndpoints(sock, check(call('listen', { h: sock.h, backlog })));
    },

    accept(listener) {
      const h = nextHandle++;
      const r = check(call('accept', { h: listener.h, newH: h, timeoutMs: timeout(listener) }));
      const sock = createSocket(listener.family, listener.type, listener.protocol, h);
      setEndpoints(sock, r);
      return sock;
    },

    getname(sock, peer) {
      return peer ? { addr: sock.daddr, port: sock.dport } : { addr: sock.saddr, port: sock.sport };
    },

    sendmsg(sock, buffer, offset, length, addr, port) {
      const size = sock.type === SOCK_STREAM ? Math.min(length, MAX_SEND) : length;
      const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset + offset, size).slice();
      if (sock.type === SOCK_STREAM && sock.established && channel.healthy(sock.h)) {
        if (channel.inFlight + size > SEND_IN_FLIGHT) check(call('flush', { timeoutMs: timeout(sock) }));
        channel.sendWithoutWaiting(sock.h, bytes);
        return size;
      }
      let r;
      if (sock.type === SOCK_DGRAM && addr !== undefined) {
        r = check(call('sendto', { h: sock.h, host: addr, port, bytes }));
      } else {
        r = check(call('send', { h: sock.h, bytes, timeoutMs: timeout(sock) }));
      }
      if (r.local && !sock.saddr) setEndpoints(sock, { local: r.local });
      return r.sent;
    },

    recvmsg(sock, length) {
      const flags = runtime.recvFlags;
      const { reply, bytes } = call(sock.type === SOCK_DGRAM ? 'recvfrom' : 'recv', {
        h: sock.h,
        max: Math.min(length, MAX_RECV),
        peek: Boolean(flags & MSG_PEEK),
        timeoutMs: timeout(sock, flags),
      });
      if (reply.errno) raise(reply.errno);
      if (reply.eof) return null;
      const from = reply.from ?? { addr: sock.daddr, port: sock.dport };
      return { buffer: bytes ?? new Uint8Array(0), addr: from.addr, port: from.port };
    },

    shutdown(sock, how) {
      const r = call('shutdown', { h: sock.h, how }).reply;
      return r.errno ? -code(r.errno) : 0;
    },

    close(sock) {
      channel.call('close', { h: sock.h });
      return 0;
    },
  };

  SOCKFS.createSocket = (family, type, protocol) => createSocket(family, type, protocol);

  // poll() and select() (which CPython also uses for socket timeouts), with
  // the program's timeout in ms (-1: none). Streams that are not sockets
  // (stdin, files) are answered as Emscripten would; if one of them is
  // ready, the sockets are only looked at, not waited for.
  runtime.poll = (fds, nfds, timeoutMs) => {
    const H32 = Module.HEAP32;
    const H16 = Module.HEAP16;
    const items = [];
    const slots = [];
    let ready = 0;
    for (let i = 0; i < nfds; i++) {
      const at = fds + 8 * i;
      const fd = H32[at >> 2];
      const events = H16[(at + 4) >> 1];
      const stream = fd >= 0 ? FS.getStream(fd) : null;
      const sock = stream ? SOCKFS.getSocket(fd) : null;
      if (sock?.sockgate) {
        items.push({ h: sock.h, events });
        slots.push({ at, sock });
        continue;
      }
      let revents = 0;
      if (fd >= 0) {
        revents = !stream ? POLLNVAL : (stream.stream_ops.poll ? stream.stream_ops.poll(stream, -1) : POLLIN | POLLOUT);
        revents &= events | POLLERR | POLLHUP | POLLNVAL;
      }
      H16[(at + 6) >> 1] = revents;
      if (revents) ready++;
    }
    if (!items.length) return ready;
    const r = poll(items, ready ? 0 : timeoutMs);
    if (!r) return -code('EINTR');
    if (r.errno) return -code(r.errno);
    slots.forEach(({ at, sock }, i) => {
      setEndpoints(sock, r.sockets[sock.h]);
      H16[(at + 6) >> 1] = r.revents[i];
      if (r.revents[i]) ready++;
    });
    return ready;
  };

  // setsockopt is Pyodide's C code, which accepts everything and keeps
  // nothing: the prelude reports integer options here so getsockopt can
  // read them back.
  runtime.rememberOption = (fd, level, optname, value) => {
    const sock = SOCKFS.getSocket(fd);
    if (sock?.sockgate) sock.options.set(`${level}:${optname}`, value);
  };

  runtime.settleConnect = (fd) => {
    const sock = SOCKFS.getSocket(fd);
    if (!sock?.sockgate || !sock.connecting) return;
    const r = call('status', { h: sock.h, settle: true, take: false }).reply;
    sock.connecting = false;
    setEndpoints(sock, r);
  };

  runtime.resolve = (name) => {
    const r = channel.call('resolve', { host: name });
    if (!r) return { errno: 'EINTR' };
    return r.reply;
  };
}

