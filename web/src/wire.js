// The wire view: every WebSocket message of the session the picker shows,
// as it was sent or received. JSON control messages compact or pretty-printed, binary
// frames decoded (type, socket, length, hex preview). Filter by socket,
// pause, clear, and copy or save what is shown as text or JSON.

import { h, clock, hex, escaped, hexdump, sockBadge, atBottom } from './format.js';
import { exportMenu, fileStamp } from './export_menu.js';

export class WireView {
  constructor(root, { max = 1000 } = {}) {
    this.root = root;
    this.max = max;
    this.paused = false;
    this.buffer = [];
    this.pretty = false;
    this.filter = 'all';
    this.socks = new Set();
    this.follow = true;

    this.filterSel = h('select', { class: 'select', 'aria-label': 'Show messages for', title: 'Show messages for one socket' },
      h('option', { value: 'all' }, 'All messages'),
      h('option', { value: 'control' }, 'Session (no socket)'));
    this.filterSel.addEventListener('change', () => { this.filter = this.filterSel.value; this.applyFilter(); });

    this.formatBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': 'false', title: 'Pretty-print JSON' }, 'Pretty JSON');
    this.formatBtn.addEventListener('click', () => this.setPretty(!this.pretty));
    this.pauseBtn = h('button', { type: 'button', class: 'btn btn-small', 'aria-pressed': 'false', title: 'Pause or resume capture' }, 'Pause');
    this.pauseBtn.addEventListener('click', () => this.setPaused(!this.paused));
    this.status = h('span', { class: 'panel-meta wire-status' });
    this.subject = h('span', { class: 'panel-sub wire-subject' }, 'console session · sockgate.v1');

    this.list = h('div', { class: 'wire-list', role: 'log', tabindex: '0', 'aria-label': 'Protocol messages' });
    this.empty = h('div', { class: 'wire-empty' }, 'No messages yet. Text messages are JSON control messages; binary ones are DATA, DATAGRAM and WINDOW frames.');
    this.list.addEventListener('scroll', () => { this.follow = atBottom(this.list); });
    this.list.addEventListener('click', (e) => {
      if (e.target.closest('button, a, select')) return;
      const row = e.target.closest('.wire-row');
      if (row && !window.getSelection()?.toString()) row.classList.toggle('expanded');
    });
    // One Tab stop for the whole list: the arrow keys, Home and End move
    // between rows, Enter or Space opens one.
    this.list.addEventListener('keydown', (e) => {
      const row = e.target.closest?.('.wire-row');
      if (row && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); row.classList.toggle('expanded'); return; }
      const next = this.rowForKey(e.key, row);
      if (next) { e.preventDefault(); next.focus(); }
    });

    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Wire'),
        this.subject,
        this.status,
        h('div', { class: 'panel-tools' },
          this.filterSel,
          this.formatBtn,
          this.pauseBtn,
          exportMenu({ name: () => `sockgate-wire-${fileStamp()}`, records: () => this.records() }),
          h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.clear(), title: 'Clear the list' }, 'Clear'))),
      h('div', { class: 'wire-cols', 'aria-hidden': 'true' },
        h('span', {}, 'time'), h('span', {}, 'dir'), h('span', {}, 'type'), h('span', {}, 'sock'), h('span', {}, 'message')),
      h('div', { class: 'wire-scroll' }, this.list, this.empty));
    this.updateStatus();
  }

  setPretty(on) {
    this.pretty = on;
    this.formatBtn.setAttribute('aria-pressed', String(on));
    this.list.classList.toggle('pretty', on);
  }

  setPaused(on) {
    this.paused = on;
    this.pauseBtn.textContent = on ? 'Resume' : 'Pause';
    this.pauseBtn.setAttribute('aria-pressed', String(on));
    this.root.classList.toggle('paused', on);
    if (!on) {
      const pending = this.buffer;
      this.buffer = [];
      for (const msg of pending) this.render(msg);
      this.trim();
      this.scrollToEnd();
    }
    this.updateStatus();
  }

  clear() {
    this.list.replaceChildren();
    this.buffer = [];
    this.empty.hidden = false;
    this.updateStatus();
  }

  /** Names the session shown, in the head. */
  setSubject(text) {
    this.subject.textContent = `${text} · sockgate.v1`;
  }

  /** Replaces the list with msgs (a session's history); the socket filter starts over. */
  load(msgs) {
    this.list.replaceChildren();
    this.buffer = [];
    this.socks.clear();
    this.filterSel.replaceChildren(this.filterSel.options[0], this.filterSel.options[1]);
    this.filter = 'all';
    this.filterSel.value = 'all';
    this.follow = true;
    this.addMany(msgs);
    this.empty.hidden = this.list.childElementCount > 0;
  }

  /** Adds several messages with one layout: a busy program sends hundreds a second. */
  addMany(msgs) {
    if (!msgs.length) return;
    if (this.paused) {
      for (const msg of msgs) this.add(msg);
      return;
    }
    const stick = this.follow || atBottom(this.list);
    for (const msg of msgs.slice(-this.max)) {
      this.noteSock(msg);
      this.render(msg);
    }
    this.trim();
    this.follow = stick;
    this.scrollToEnd();
    this.updateStatus();
  }

  noteSock(msg) {
    if (msg.sock !== null && msg.sock !== undefined && !this.socks.has(msg.sock)) {
      this.socks.add(msg.sock);
      this.filterSel.append(h('option', { value: String(msg.sock) }, `Socket ${msg.sock}`));
    }
  }

  updateStatus() {
    const n = this.list.childElementCount;
    let text = `${n} message${n === 1 ? '' : 's'}`;
    if (this.paused) text += ` · paused, ${this.buffer.length} waiting`;
    this.status.textContent = text;
  }

  add(msg) {
    this.noteSock(msg);
    if (this.paused) {
      this.buffer.push(msg);
      if (this.buffer.length > this.max) this.buffer.shift();
      this.updateStatus();
      return;
    }
    const stick = this.follow || atBottom(this.list);
    this.render(msg);
    this.trim();
    this.follow = stick;
    this.scrollToEnd();
    this.updateStatus();
  }

  trim() {
    while (this.list.childElementCount > this.max) this.list.firstElementChild.remove();
  }

  scrollToEnd() {
    if (this.follow) this.list.scrollTop = this.list.scrollHeight;
  }

  matches(row) {
    if (this.filter === 'all') return true;
    const sock = row.dataset.sock;
    if (this.filter === 'control') return sock === '';
    return sock === this.filter;
  }

  applyFilter() {
    for (const row of this.list.children) row.hidden = !this.matches(row);
    this.follow = true;
    this.scrollToEnd();
  }

  /** Scrolls to and highlights the row of message seq (from the sequence diagram). */
  reveal(seq) {
    const row = this.list.querySelector(`.wire-row[data-seq="${seq}"]`);
    if (!row) return;
    if (row.hidden) { this.filterSel.value = 'all'; this.filter = 'all'; this.applyFilter(); }
    row.scrollIntoView({ block: 'nearest' });
    row.classList.remove('flash');
    void row.offsetWidth;
    row.classList.add('flash');
    this.follow = atBottom(this.list);
  }

  // The row the key moves focus to from `row` (null: from the list itself).
  rowForKey(key, row) {
    const rows = [...this.list.children].filter((r) => !r.hidden);
    if (!rows.length) return null;
    const i = row ? rows.indexOf(row) : -1;
    switch (key) {
      case 'ArrowDown': return rows[Math.min(i + 1, rows.length - 1)];
      case 'ArrowUp': return rows[i < 0 ? rows.length - 1 : Math.max(i - 1, 0)];
      case 'Home': return rows[0];
      case 'End': return rows[rows.length - 1];
      default: return null;
    }
  }

  render(msg) {
    this.empty.hidden = true;
    const row = h('div', {
      class: `wire-row wire-${msg.dir} wire-${msg.kind}${msg.json?.ok === false || msg.json?.op === 'error' ? ' wire-error' : ''}`,
      tabindex: '-1',
      dataset: { seq: msg.seq, sock: msg.sock ?? '' },
    });
    const type = msg.kind === 'note' ? 'note' : msg.kind === 'frame' ? msg.frame?.type || 'frame' : 'JSON';
    if (type === 'INVALID') row.classList.add('wire-error');
    row.append(
      h('span', { class: 'wire-time' }, clock(msg.time)),
      h('span', { class: 'wire-dir', title: msg.dir === 'out' ? 'page → gateway' : msg.dir === 'in' ? 'gateway → page' : '' },
        msg.dir === 'out' ? 'C→G' : msg.dir === 'in' ? 'G→C' : ''),
      h('span', { class: `wire-type type-${type}` }, type),
      h('span', { class: 'wire-sock' }, msg.sock !== null && msg.sock !== undefined ? sockBadge(msg.sock) : ''),
      this.body(msg));
    if (msg.replayed) {
      row.classList.add('wire-replayed');
      row.title = 'Reconstructed: the handshake happened before the page started listening to the wire';
    }
    row.hidden = !this.matches(row);
    row.msg = msg;
    this.list.append(row);
  }

  /** The messages shown (the socket filter applies), for export. */
  records() {
    return [...this.list.children].filter((row) => !row.hidden && row.msg).map((row) => {
      const msg = row.msg;
      const f = msg.frame;
      const rec = {
        time: msg.time,
        dir: msg.dir === 'out' ? 'page→gateway' : msg.dir === 'in' ? 'gateway→page' : null,
        type: row.querySelector('.wire-type').textContent,
        sock: msg.sock ?? null,
      };
      if (msg.kind === 'text') {
        try { rec.json = JSON.parse(msg.text); } catch { rec.raw = msg.text; }
      } else if (msg.kind === 'note') {
        rec.note = msg.text;
      } else if (f) {
        rec.frame = { type: f.type, length: f.length, increment: f.increment, addr: f.addr, port: f.port, error: f.error };
        if (f.preview?.length) rec.frame.preview_hex = hex(f.preview, f.preview.length).replace(/\s+/g, '');
      }
      rec.text = [rec.dir === 'page→gateway' ? 'C→G' : rec.dir ? 'G→C' : '--', rec.type, rec.sock !== null ? `[${rec.sock}]` : '',
        msg.kind === 'text' || msg.kind === 'note' ? msg.text : [...row.querySelectorAll('.wire-body .compact > *')].map((e) => e.textContent).join(' ')]
        .filter(Boolean).join(' ');
      return rec;
    });
  }

  body(msg) {
    if (msg.kind === 'note') return h('span', { class: 'wire-body wire-note' }, msg.text);
    if (msg.kind === 'text') {
      let pretty = msg.text;
      try { pretty = JSON.stringify(JSON.parse(msg.text), null, 2); } catch { /* shown as is */ }
      return h('span', { class: 'wire-body' },
        h('code', { class: 'json compact' }, highlightJson(msg.text)),
        h('pre', { class: 'json pretty' }, highlightJson(pretty)));
    }
    const f = msg.frame || {};
    const facts = [];
    if (f.type === 'INVALID') facts.push(h('span', { class: 'fact' }, `malformed frame: ${f.error || 'unknown problem'}`));
    else if (f.type === 'WINDOW') facts.push(h('span', { class: 'fact' }, `+${f.increment} B credit`));
    else facts.push(h('span', { class: 'fact' }, `${f.length ?? '?'} B`));
    if (f.addr !== undefined) facts.push(h('span', { class: 'fact' }, `${msg.dir === 'out' ? 'to' : 'from'} ${String(f.addr).includes(':') ? `[${f.addr}]` : f.addr}:${f.port}`));
    const previewBytes = f.preview && f.preview.length ? f.preview : null;
    const truncated = previewBytes && f.length > previewBytes.length;
    return h('span', { class: 'wire-body' },
      h('span', { class: 'compact' },
        ...facts,
        previewBytes ? h('span', { class: 'hexp' }, hex(previewBytes, 16)) : null,
        previewBytes ? h('span', { class: 'textp' }, `"${escaped(previewBytes, 32, { more: truncated })}"`) : null),
      h('pre', { class: 'pretty' }, frameDetails(msg, previewBytes, truncated)));
  }
}

function frameDetails(msg, bytes, truncated) {
  const f = msg.frame || {};
  const lines = [`${f.type}  sock ${f.sock}${msg.size ? `  (${msg.size} bytes on the wire)` : ''}`];
  if (f.error) lines.push(`problem: ${f.error}`);
  if (f.type === 'WINDOW') lines.push(`increment ${f.increment} bytes of credit`);
  else lines.push(`payload ${f.length} bytes`);
  if (f.addr !== undefined) lines.push(`${msg.dir === 'out' ? 'destination' : 'source'} ${f.addr} port ${f.port}`);
  if (msg.raw && msg.raw.length) {
    lines.push('', 'frame (5-byte header, then the body):', hexdump(msg.raw));
    if (msg.size > msg.raw.length) lines.push(`… first ${msg.raw.length} of ${msg.size} bytes shown`);
  } else if (bytes) {
    lines.push('', hexdump(bytes));
    if (truncated) lines.push(`… first ${bytes.length} of ${f.length} bytes shown`);
  }
  return lines.join('\n');
}

const JSON_TOKEN = /("(?:\\.|[^"\\])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** JSON text as spans: keys, strings, numbers, literals. */
export function highlightJson(text) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const m of text.matchAll(JSON_TOKEN)) {
    if (m.index > last) frag.append(text.slice(last, m.index));
    if (m[1]) {
      frag.append(h('span', { class: m[2] ? 'j-key' : 'j-str' }, m[1]));
      if (m[2]) frag.append(m[2]);
    } else if (m[3]) {
      frag.append(h('span', { class: 'j-lit' }, m[3]));
    } else {
      frag.append(h('span', { class: 'j-num' }, m[4]));
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) frag.append(text.slice(last));
  return frag;
}
