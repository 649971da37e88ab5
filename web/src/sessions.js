// Every gateway session the page knows: the console's, each Python run's,
// each C++ example run's. A SessionRecord keeps one session's protocol
// messages (bounded) and the sockets they tell of; the SessionHub lists
// the records and says which one the sockets table, the sequence diagram
// and the wire view show, so that switching rebuilds them from the record.

import { WireTracker } from './tracker.js';
import { WireSockets } from './wire_sockets.js';

// Messages kept per session: enough to rebuild the wire view (1000 rows)
// and the sequence diagram.
const HISTORY = 1500;
// Ended sessions kept in the list besides the live ones.
const ENDED_KEPT = 8;
// Closed sockets kept per session; a port scanner opens hundreds.
const CLOSED_KEPT = 24;

let nextId = 1;

export class SessionRecord extends EventTarget {
  /** kind: 'console' | 'python' | 'cpp'. label: what the picker shows. */
  constructor({ kind, label }) {
    super();
    this.id = `s${nextId++}`;
    this.kind = kind;
    this.label = label;
    this.status = 'opening'; // opening | live | ended
    this.session = null; // the SockgateSession, when the page has one
    this.history = [];
    // The gateway's refusals a program can only print as an errno (EACCES,
    // EADDRINUSE), with the request refused, newest last.
    this.denials = [];
    this.forgotten = new Set(); // closed socket ids cleared from the table
    this.table = new WireSockets();
    this.tracker = new WireTracker();
    this.tracker.addEventListener('message', (e) => this.#record(e.detail));
  }

  get live() {
    return this.status !== 'ended';
  }

  /** Follows a SockgateSession: its wire messages, table changes and end. */
  attachSession(session) {
    this.session = session;
    this.status = 'live';
    session.addEventListener('wire', (e) => this.feed(e.detail));
    // The session releases the handshake's wire events in the task after
    // openSession resolves; a record made later draws it from the hello
    // reply the session kept.
    setTimeout(() => { if (!this.sawHello && !session.closed) this.replayHello(session.info || {}); }, 150);
    const changed = () => this.emit('sockets');
    for (const name of ['sockets', 'data', 'datagram', 'closed', 'eof', 'accept']) session.addEventListener(name, changed);
    session.addEventListener('sessionclosed', (e) => this.end(e.detail));
    this.emit('status');
  }

  /** Feeds one 'wire' detail (from a session or a watched WebSocket). */
  feed(detail) {
    if (this.status === 'opening') {
      this.status = 'live';
      this.emit('status');
    }
    const msg = this.tracker.push(detail);
    if (msg.dir === 'in' && msg.json?.op === 'hello' && msg.json.ok) {
      this.sawHello = true;
      this.sessionId = msg.json.session;
      this.note(`session ${String(msg.json.session || '?').slice(0, 8)} open`);
    }
  }

  note(text) {
    this.tracker.note(text);
  }

  replayHello(info) {
    const now = Date.now();
    const reply = { op: 'hello', id: 1, ok: true, ...info };
    delete reply.token;
    this.feed({ dir: 'out', kind: 'text', text: JSON.stringify({ op: 'hello', id: 1, version: info.version ?? 1 }), time: now, replayed: true });
    this.feed({ dir: 'in', kind: 'text', text: JSON.stringify(reply), time: now, replayed: true });
  }

  /** The session is over (closed, failed, or its program ended). */
  end({ code, reason } = {}) {
    if (this.status === 'ended') return;
    this.status = 'ended';
    this.endedAt = Date.now();
    this.table.endAll();
    if (code !== undefined) this.note(`session closed · ${code}${reason ? ` ${reason}` : ''}`);
    this.emit('sockets');
    this.emit('status');
  }

  /**
   * The sockets table: the live session's own rows where it has them (they
   * carry what the wire does not show, such as queued bytes), and the rows
   * the messages told of for sockets it has dropped.
   */
  sockets() {
    let live = [];
    try { live = this.session ? this.session.sockets() : []; } catch { live = []; }
    const byId = new Map(live.map((s) => [s.id, s]));
    const rows = this.table.sockets().map((r) => {
      if (byId.has(r.id)) return byId.get(r.id);
      // A session drops the sockets it closed from its table.
      return this.session && r.state !== 'closed' ? { ...r, state: 'closed' } : r;
    });
    for (const s of live) if (!this.table.get(s.id)) rows.push(s);
    return rows
      .map((r) => (this.status === 'ended' ? { ...r, state: 'closed' } : r))
      .filter((r) => !(r.state === 'closed' && this.forgotten.has(r.id)))
      .sort((a, b) => a.id - b.id);
  }

  forgetClosed() {
    for (const r of this.sockets()) if (r.state === 'closed') this.forgotten.add(r.id);
    this.emit('sockets');
  }

  #record(msg) {
    this.history.push(msg);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (this.table.apply(msg)) {
      this.#trimClosed();
      if (!this.session) this.emit('sockets');
    }
    const err = msg.json && (msg.json.ok === false || msg.json.op === 'error') ? msg.json.error : null;
    if (err?.code === 'EACCES' || err?.code === 'EADDRINUSE') {
      this.denials.push({ ...err, request: msg.request?.json || null });
      if (this.denials.length > 8) this.denials.shift();
    }
    this.dispatchEvent(new CustomEvent('message', { detail: msg }));
  }

  #trimClosed() {
    const closed = this.table.sockets().filter((r) => r.state === 'closed');
    for (const r of closed.slice(0, Math.max(0, closed.length - CLOSED_KEPT))) this.table.rows.delete(r.id);
  }

  emit(name) {
    this.dispatchEvent(new Event(name));
  }
}

/**
 * The records, and which one the views show. Events: 'list' (records came,
 * went or changed status), 'select' (the shown record changed), 'message'
 * (detail: a message of the shown record), 'sockets' (its table changed).
 */
export class SessionHub extends EventTarget {
  records = [];
  current = null;

  /** Adds a record; follow: show it now. */
  add(record, { follow = false } = {}) {
    this.records.push(record);
    record.addEventListener('message', (e) => {
      if (record === this.current) this.dispatchEvent(new CustomEvent('message', { detail: e.detail }));
    });
    record.addEventListener('sockets', () => { if (record === this.current) this.dispatchEvent(new Event('sockets')); });
    record.addEventListener('status', () => {
      this.#prune();
      this.dispatchEvent(new Event('list'));
    });
    this.#prune();
    this.dispatchEvent(new Event('list'));
    if (follow || !this.current) this.select(record);
    return record;
  }

  select(record) {
    if (!record || !this.records.includes(record)) return;
    if (record === this.current) return;
    this.current = record;
    this.dispatchEvent(new Event('select'));
  }

  byId(id) {
    return this.records.find((r) => r.id === id) || null;
  }

  /** The console's newest record. */
  get console() {
    return this.records.findLast((r) => r.kind === 'console') || null;
  }

  // Keeps the live records, the shown one and the newest ended ones.
  #prune() {
    const ended = this.records.filter((r) => !r.live && r !== this.current);
    ended.sort((a, b) => b.endedAt - a.endedAt);
    const drop = new Set(ended.slice(ENDED_KEPT));
    if (drop.size) this.records = this.records.filter((r) => !drop.has(r));
  }
}
