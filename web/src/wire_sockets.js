// A session's sockets as its protocol messages tell them: the rows of
// SockgateSession.sockets() (id, kind, local, remote, state, bytes and
// datagrams each way, eof, shutdown, error), rebuilt from the messages the
// WireTracker parsed. It is the whole table for a C++ example run, whose
// session the page only watches, and it remembers sockets that were opened
// and closed between two repaints, which a live table would never show.

export class WireSockets {
  constructor() {
    this.rows = new Map(); // id -> row
  }

  /** Applies one tracked message; true when the table changed. */
  apply(msg) {
    const j = msg.json || {};
    if (msg.role === 'frame') return this.frame(msg);
    if (msg.role === 'reply' && j.ok) {
      const req = msg.request?.json || {};
      switch (j.op) {
        case 'connect': return this.add(j.sock, 'tcp', j.local, j.remote);
        case 'listen': return this.add(j.sock, 'listener', j.local);
        case 'bind': return this.add(j.sock, 'udp', j.local);
        case 'shutdown': return this.update(req.sock, { shutdown: true });
        case 'close': return this.update(req.sock, { state: 'closed' });
        default: return false;
      }
    }
    if (msg.role === 'event') {
      switch (j.op) {
        case 'accept': return this.add(j.sock, 'tcp', j.local, j.remote, { listener: j.listener });
        case 'eof': return this.update(j.sock, { eof: true });
        case 'closed': return this.update(j.sock, { state: 'closed', error: j.error || null });
        default: return false;
      }
    }
    return false;
  }

  frame(msg) {
    const f = msg.frame || {};
    const row = this.rows.get(f.sock);
    if (!row || (f.type !== 'DATA' && f.type !== 'DATAGRAM')) return false;
    const out = msg.dir === 'out';
    if (out) row.bytesOut += f.length || 0;
    else row.bytesIn += f.length || 0;
    if (f.type === 'DATAGRAM') {
      if (out) row.datagramsOut++;
      else row.datagramsIn++;
    }
    return true;
  }

  add(id, kind, local, remote = null, extra = {}) {
    if (typeof id !== 'number') return false;
    this.rows.set(id, {
      id, kind, state: 'open', local: local || null, remote: remote || null, listener: null,
      bytesIn: 0, bytesOut: 0, datagramsIn: 0, datagramsOut: 0, eof: false, shutdown: false, error: null, ...extra,
    });
    return true;
  }

  update(id, fields) {
    const row = this.rows.get(id);
    if (!row) return false;
    Object.assign(row, fields);
    return true;
  }

  /** The session ended: every socket went with it. */
  endAll() {
    for (const row of this.rows.values()) row.state = 'closed';
  }

  get(id) {
    return this.rows.get(id) || null;
  }

  sockets() {
    return [...this.rows.values()].map((r) => ({ ...r }));
  }
}
