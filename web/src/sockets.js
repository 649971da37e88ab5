// The live table of one session's sockets (the one the session picker
// shows): id, kind, local and remote address, state, bytes in and out, with
// quick actions for the console's own sockets.

import { h, endpoint, size, sockBadge, throttle } from './format.js';

export class SocketsTable {
  /**
   * actions: {send(sock, kind), shutdown(sock), close(sock)} called from the
   * row buttons of the console's sockets. picker: the session picker's
   * element, shown in the head.
   */
  constructor(root, actions = {}, { picker = null } = {}) {
    this.root = root;
    this.actions = actions;
    this.source = null; // a SessionRecord (sessions.js)
    this.withActions = false;
    this.count = h('span', { class: 'panel-meta' });
    this.tbody = h('tbody');
    this.empty = h('div', { class: 'sockets-empty' });
    this.forgetBtn = h('button', { type: 'button', class: 'btn btn-small', title: 'Remove closed sockets from the table', hidden: true }, 'Clear closed');
    this.forgetBtn.addEventListener('click', () => this.source?.forgetClosed());
    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Sockets'),
        picker,
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
    this.refresh = throttle(() => this.render(), 250);
  }

  /** Shows the sockets of record; the row buttons act on the console's live session only. */
  show(record) {
    this.source = record;
    this.render();
  }

  render() {
    const rec = this.source;
    // Closed sockets stay, dimmed, until "Clear closed": the record keeps
    // them, so a connection that came and went between two repaints shows.
    const rows = rec ? rec.sockets() : [];
    this.withActions = rec?.kind === 'console' && rec.live;
    // The rows are made anew; a keyboard user on a row's button stays on
    // that button (same socket, same action), not thrown back to the page.
    const focused = this.tbody.contains(document.activeElement) ? document.activeElement : null;
    const keep = focused?.closest('tr')?.dataset.sock !== undefined
      ? { sock: focused.closest('tr').dataset.sock, label: focused.textContent } : null;
    this.tbody.replaceChildren(...rows.map((s) => this.row(s)));
    if (keep) {
      const again = [...this.tbody.querySelectorAll(`tr[data-sock="${keep.sock}"] button`)].find((b) => b.textContent === keep.label);
      again?.focus();
    }
    this.forgetBtn.hidden = !rows.some((s) => s.state === 'closed');
    this.empty.hidden = rows.length > 0;
    this.empty.replaceChildren(...emptyText(rec));
    const open = rows.filter((s) => s.state !== 'closed').length;
    this.count.textContent = `${open} open`;
  }

  row(s) {
    const state = stateText(s);
    const isUdp = s.kind === 'udp';
    const closed = s.state === 'closed';
    const inText = isUdp ? `${size(s.bytesIn)} · ${s.datagramsIn ?? 0} dg` : s.kind === 'listener' ? '—' : size(s.bytesIn);
    const outText = isUdp ? `${size(s.bytesOut)} · ${s.datagramsOut ?? 0} dg` : s.kind === 'listener' ? '—' : size(s.bytesOut);
    const tools = h('td', { class: 'row-tools' });
    if (!closed && this.withActions) {
      if (s.kind === 'tcp' && !s.shutdown) tools.append(this.tool('send', `Send on socket ${s.id}`, () => this.actions.send?.(s.id, s.kind)));
      if (isUdp) tools.append(this.tool('sendto', `Send a datagram from socket ${s.id}`, () => this.actions.send?.(s.id, s.kind)));
      if (s.kind === 'tcp' && !s.shutdown) tools.append(this.tool('shutdown', `Half-close socket ${s.id} (send FIN)`, () => this.actions.shutdown?.(s.id)));
      tools.append(this.tool('close', `Close socket ${s.id}`, () => this.actions.close?.(s.id)));
    }
    const tr = h('tr', { class: `sock-row state-${s.state}${s.error ? ' has-error' : ''}`, dataset: { sock: s.id } },
      h('td', {}, sockBadge(s.id)),
      // data-label: a phone shows each row as a card, without the head.
      h('td', { class: 'kind' }, s.kind === 'listener' ? 'listen' : s.kind),
      h('td', { class: 'addr', dataset: { label: 'local' } }, endpoint(s.local)),
      h('td', { class: 'addr', dataset: { label: 'remote' } }, s.kind === 'listener' ? '—' : isUdp ? (s.remote ? endpoint(s.remote) : 'any') : endpoint(s.remote)),
      h('td', { class: `state state-${state.cls}`, title: s.error ? `${s.error.code}: ${s.error.message || ''}` : '' }, state.text),
      h('td', { class: 'num', dataset: { label: 'in' } }, inText),
      h('td', { class: 'num', dataset: { label: 'out' } }, outText),
      tools);
    if (s.listener) tr.title = `accepted by listener ${s.listener}`;
    return tr;
  }

  tool(label, title, fn) {
    return h('button', { type: 'button', class: 'btn btn-tiny', title, onclick: fn }, label);
  }
}

function emptyText(rec) {
  if (!rec || rec.kind === 'console') {
    return ['No sockets yet. Try ', h('code', {}, 'connect'), ' to the echo service, or ', h('code', {}, 'listen 12345'), '.'];
  }
  return [rec.live ? 'This program has no sockets yet.' : 'This program opened no sockets.'];
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
