// Turns the session's raw 'wire' events into protocol messages that the
// sequence diagram and the wire view both draw: requests, replies (matched
// to their request by id), events and binary frames, each tagged with the
// socket it concerns.

import { wallTime } from './format.js';

let nextSeq = 1;

export class WireTracker extends EventTarget {
  constructor() {
    super();
    this.pending = new Map(); // request id -> request message
    this.peers = new Map(); // sock -> remote endpoint text, for the Peer lane
    this.kinds = new Map(); // sock -> 'tcp' | 'listener' | 'udp'
  }

  reset() {
    this.pending.clear();
    this.peers.clear();
    this.kinds.clear();
  }

  /** Feeds one 'wire' event detail; emits a 'message' event with the parsed message. */
  push(detail) {
    const msg = this.parse(detail);
    if (msg.sock !== null) msg.sockKind = this.kinds.get(msg.sock) || null;
    this.dispatchEvent(new CustomEvent('message', { detail: msg }));
    return msg;
  }

  /** Adds a note that is not on the wire (e.g. "session opened"). */
  note(text, extra = {}) {
    const msg = { seq: nextSeq++, time: Date.now(), dir: 'note', kind: 'note', text, sock: null, ...extra };
    this.dispatchEvent(new CustomEvent('message', { detail: msg }));
    return msg;
  }

  parse(detail) {
    const msg = {
      seq: nextSeq++,
      time: wallTime(detail.time),
      dir: detail.dir === 'in' ? 'in' : 'out',
      kind: detail.kind === 'binary' ? 'frame' : 'text',
      text: detail.text,
      frame: detail.frame || null,
      sock: null,
      json: null,
      role: null, // request | reply | event | frame | bad
      op: null,
      ok: null,
      request: null,
      replayed: Boolean(detail.replayed),
      size: typeof detail.size === 'number' ? detail.size : null,
      raw: detail.raw instanceof Uint8Array ? detail.raw : null,
    };
    if (msg.kind === 'frame') {
      msg.role = 'frame';
      msg.op = msg.frame?.type || 'FRAME';
      msg.sock = msg.frame?.sock ?? null;
      if (msg.frame?.type === 'DATAGRAM' && msg.frame.addr !== undefined) {
        msg.peer = fmtAddr(msg.frame.addr, msg.frame.port);
      } else if (msg.sock !== null) {
        msg.peer = this.peers.get(msg.sock) || null;
      }
      return msg;
    }
    let json;
    try {
      json = JSON.parse(detail.text);
    } catch {
      msg.role = 'bad';
      return msg;
    }
    msg.json = json;
    msg.op = typeof json.op === 'string' ? json.op : '?';
    if (msg.dir === 'out') {
      msg.role = 'request';
      msg.sock = typeof json.sock === 'number' ? json.sock : null;
      if (typeof json.id === 'number') this.pending.set(json.id, msg);
      if (msg.sock !== null) msg.peer = this.peers.get(msg.sock) || null;
      return msg;
    }
    if (typeof json.id === 'number' && typeof json.ok === 'boolean' && json.op !== 'error') {
      msg.role = 'reply';
      msg.ok = json.ok;
      msg.request = this.pending.get(json.id) || null;
      this.pending.delete(json.id);
      msg.sock = typeof json.sock === 'number' ? json.sock : msg.request?.sock ?? null;
      if (json.ok && typeof json.sock === 'number') {
        if (json.remote) this.peers.set(json.sock, fmtAddr(json.remote.addr, json.remote.port));
        this.kinds.set(json.sock, { connect: 'tcp', listen: 'listener', bind: 'udp' }[json.op] || 'tcp');
      }
      if (msg.sock !== null) msg.peer = this.peers.get(msg.sock) || null;
      if (msg.request) msg.request.reply = msg;
      return msg;
    }
    msg.role = 'event';
    msg.sock = typeof json.sock === 'number' ? json.sock : null;
    if (json.op === 'accept' && json.remote) {
      this.peers.set(json.sock, fmtAddr(json.remote.addr, json.remote.port));
      this.kinds.set(json.sock, 'tcp');
    }
    if (msg.sock !== null) msg.peer = this.peers.get(msg.sock) || null;
    return msg;
  }
}

function fmtAddr(addr, port) {
  return String(addr).includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}
