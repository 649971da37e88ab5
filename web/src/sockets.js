// The live table of the console session's sockets: id, kind, local and
// remote address, state, bytes in and out, with quick actions.

import { h, endpoint, size, sockBadge, throttleFrame } from './format.js';

export class SocketsTable {
  /**
   * actions: {send(sock, kind), shutdown(sock), close(sock)} called from the
   * row buttons.
   */
  constructor(root, actions = {}) {
    this.root = root;
    this.actions = actions;
    this.session = null;
    this.closedKeep = new Map(); // id -> last row of sockets that went away, shown dimmed for a while
    this.count = h('span', { class: 'panel-meta' });
    this.tbody = h('tbody');
    this.empty = h('div', { class: 'sockets-empty' },
      'No sockets yet. Try ', h('code', {}, 'connect'), ' to the echo service, or ', h('code', {}, 'listen 12345'), '.');
    this.forgetBtn = h('button', { type: 'button', class: 'btn btn-small', title: 'Remove closed sockets from the table', hidden: true }, 'Clear closed');
    this.forgetBtn.addEventListener('click', () => {
      this.closedKeep.clear();
      this.forgotten = new Set([...(this.forgotten || []), ...this.lastClosed]);
      try { this.session?.forgetClosed?.(); } catch { /* session gone */ }
      this.render();
    });
    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Sockets'),
        h('span', { class: 'panel-sub' }, 'console session'),
        this.count,
        h('div', { class: 'panel-tools' }, this.forgetBtn)),
      h('div', { class: 'sockets-scroll' },
        h('table', { class: 'sockets' },
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col' }, 'id'),
            h('th', { scope: 'col' }, 'kind'),
            h('th', { scope: 'col' }, 'local'),
            h('th', { scope: 'col' }, 'remote'),
            h('th', { scope: 'col' }, 'state'),
            h('th', { scope: 'col', class: 'num' }, 'in'),
            h('th', { scope: 'col', class: 'num' }, 'out'),
            h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'actions')))),
          this.tbody),
        this.empty));
    this.refresh = throttleFrame(() => this.render());
    this.onSockets = () => this.refresh();
  }

  attach(session) {
    if (this.session) this.session.removeEventListener('sockets', this.onSockets);
    this.session = session;
    this.closedKeep.clear();
    this.forgotten = new Set();
    this.prev = new Map();
    session.addEventListener('sockets', this.onSockets);
    for (const ev of ['data', 'datagram', 'closed', 'eof', 'accept']) session.addEventListener(ev, this.onSockets);
    this.render();
  }

  detach() {
    this.render();
  }

  render() {
    let list = [];
    try { list = this.session ? this.session.sockets() : []; } catch { list = []; }
    if (this.forgotten) list = list.filter((s) => !(this.forgotten.has(s.id) && s.state === 'closed'));
    const now = Date.now();
    const ids = new Set(list.map((s) => s.id));
    // Sockets that left the table stay for a few seconds, dimmed, so a
    // quick close is still visible.
    for (const [id, prev] of this.prev || []) {
      if (!ids.has(id) && !this.closedKeep.has(id)) this.closedKeep.set(id, { row: { ...prev, state: 'closed' }, until: now + 8000 });
    }
    for (const [id, kept] of this.closedKeep) {
      if (ids.has(id) || kept.until < now) this.closedKeep.delete(id);
    }
    this.prev = new Map(list.map((s) => [s.id, s]));
    const rows = [...list, ...[...this.closedKeep.values()].map((k) => k.row)].sort((a, b) => a.id - b.id);
    if (this.closedKeep.size) setTimeout(this.refresh, 2000);

    this.tbody.replaceChildren(...rows.map((s) => this.row(s)));
    this.lastClosed = rows.filter((s) => s.state === 'closed').map((s) => s.id);
    this.forgetBtn.hidden = this.lastClosed.length === 0;
    this.empty.hidden = rows.length > 0;
    const open = list.filter((s) => s.state !== 'closed').length;
    this.count.textContent = `${open} open`;
  }

  row(s) {
    const state = stateText(s);
    const isUdp = s.kind === 'udp';
    const closed = s.state === 'closed';
    const inText = isUdp ? `${size(s.bytesIn)} · ${s.datagramsIn ?? 0} dg` : s.kind === 'listener' ? '—' : size(s.bytesIn);
    const outText = isUdp ? `${size(s.bytesOut)} · ${s.datagramsOut ?? 0} dg` : s.kind === 'listener' ? '—' : size(s.bytesOut);
    const tools = h('td', { class: 'row-tools' });
    if (!closed) {
      if (s.kind === 'tcp' && !s.shutdown) tools.append(this.tool('send', `Send on socket ${s.id}`, () => this.actions.send?.(s.id, s.kind)));
      if (isUdp) tools.append(this.tool('sendto', `Send a datagram from socket ${s.id}`, () => this.actions.send?.(s.id, s.kind)));
      if (s.kind === 'tcp' && !s.shutdown) tools.append(this.tool('shutdown', `Half-close socket ${s.id} (send FIN)`, () => this.actions.shutdown?.(s.id)));
      tools.append(this.tool('close', `Close socket ${s.id}`, () => this.actions.close?.(s.id)));
    }
    const tr = h('tr', { class: `sock-row state-${s.state}${s.error ? ' has-error' : ''}`, dataset: { sock: s.id } },
      h('td', {}, sockBadge(s.id)),
      h('td', { class: 'kind' }, s.kind === 'listener' ? 'listen' : s.kind),
      h('td', { class: 'addr' }, endpoint(s.local)),
      h('td', { class: 'addr' }, s.kind === 'listener' ? '—' : isUdp ? (s.remote ? endpoint(s.remote) : 'any') : endpoint(s.remote)),
      h('td', { class: `state state-${state.cls}`, title: s.error ? `${s.error.code}: ${s.error.message || ''}` : '' }, state.text),
      h('td', { class: 'num' }, inText),
      h('td', { class: 'num' }, outText),
      tools);
    if (s.listener) tr.title = `accepted by listener ${s.listener}`;
    return tr;
  }

  tool(label, title, fn) {
    return h('button', { type: 'button', class: 'btn btn-tiny', title, onclick: fn }, label);
  }
}

function stateText(s) {
  if (s.state === 'closed') return { text: s.error ? `closed · ${s.error.code}` : 'closed', cls: s.error ? 'error' : 'closed' };
  if (s.state === 'closing') return { text: 'closing', cls: 'closing' };
  if (s.kind === 'listener') return { text: 'listening', cls: 'open' };
  if (s.kind === 'udp') return { text: 'bound', cls: 'open' };
  if (s.eof && s.shutdown) return { text: 'eof · shut down', cls: 'closing' };
  if (s.eof) return { text: 'open · eof', cls: 'half' };
  if (s.shutdown) return { text: 'open · shut down', cls: 'half' };
  return { text: 'open', cls: 'open' };
}
