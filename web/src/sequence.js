// The timeline as a picture: a sequence diagram with three lanes,
// Page | Gateway | Peer. Every protocol message of the session the picker
// shows becomes one or two rows of arrows; newest at the bottom.
//
// Each row is its own small SVG, so dropping the oldest rows (the diagram is
// capped) is just removing elements, and x positions are percentages, so the
// diagram follows the panel's width without re-layout.

import { h, escaped, sockHue, atBottom } from './format.js';

const SVG = 'http://www.w3.org/2000/svg';
const LANES = { page: 5, gw: 48, peer: 95 }; // x in %
const ROW_H = 26;
const LINE_Y = 18;

function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

export class SequenceDiagram {
  constructor(root, { max = 400, onSelect, picker = null } = {}) {
    this.root = root;
    this.max = max;
    this.onSelect = onSelect;
    this.t0 = null;
    this.count = 0;
    this.follow = true;

    this.body = h('div', { class: 'seq-body', tabindex: '0', role: 'log', 'aria-label': 'Sequence diagram of the shown session' });
    this.empty = h('div', { class: 'seq-empty' }, 'Messages between the page, the gateway and the network will be drawn here.');
    this.jump = h('button', { type: 'button', class: 'btn btn-small seq-jump', hidden: true, onclick: () => this.scrollToEnd(true) }, '↓ newest');
    this.countEl = h('span', { class: 'panel-meta' }, '');

    const lanes = h('div', { class: 'seq-lanes' },
      h('span', { class: 'seq-time-head' }, 's'),
      h('div', { class: 'seq-lane-names' },
        h('span', { class: 'lane-page', style: `left:${LANES.page}%` }, 'Page'),
        h('span', { class: 'lane-gw', style: `left:${LANES.gw}%` }, 'Gateway'),
        h('span', { class: 'lane-peer', style: `left:${LANES.peer}%` }, 'Peer')));

    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Sequence'),
        picker,
        this.countEl,
        h('div', { class: 'panel-tools' },
          h('button', { type: 'button', class: 'btn btn-small', onclick: () => this.clear(), title: 'Clear the diagram' }, 'Clear'))),
      lanes,
      h('div', { class: 'seq-scroll' }, this.body, this.empty, this.jump),
      // Shared arrowheads; <use> positions them with percentage x.
      s('svg', { class: 'seq-defs', width: 0, height: 0, 'aria-hidden': 'true' },
        s('defs', {},
          s('path', { id: 'seq-head-r', d: 'M0,0 L-8,-4 L-8,4 Z' }),
          s('path', { id: 'seq-head-l', d: 'M0,0 L8,-4 L8,4 Z' }),
          s('circle', { id: 'seq-dot', r: 2.6, cx: 0, cy: 0 }))));

    this.body.addEventListener('scroll', () => {
      this.follow = atBottom(this.body);
      this.jump.hidden = this.follow;
    });
    this.body.addEventListener('click', (e) => {
      const row = e.target.closest('.seq-row');
      if (row && this.onSelect) this.onSelect(Number(row.dataset.seq));
    });
  }

  clear() {
    this.body.replaceChildren();
    this.count = 0;
    this.t0 = null;
    this.empty.hidden = false;
    this.countEl.textContent = '';
  }

  /** Replaces the diagram with the rows of msgs (a session's history), newest last. */
  load(msgs) {
    this.clear();
    this.follow = true;
    this.addMany(msgs);
  }

  /** Adds the rows of several messages with one layout: a busy program sends hundreds a second. */
  addMany(msgs) {
    if (!msgs.length) return;
    const stick = this.follow || atBottom(this.body);
    // Only the messages whose rows fit: the oldest would be dropped anyway.
    let rows = 0;
    let from = msgs.length;
    while (from > 0 && rows < this.max) rows += rowsFor(msgs[--from]).length;
    this.fit = null;
    for (const msg of msgs.slice(from)) this.add(msg, { scroll: false });
    this.follow = stick;
    this.scrollToEnd();
  }

  scrollToEnd(force = false) {
    if (force) this.follow = true;
    if (this.follow) this.body.scrollTop = this.body.scrollHeight;
    this.jump.hidden = this.follow;
  }

  /** Adds the rows for one tracked message. */
  add(msg, { scroll = true } = {}) {
    // Characters that fit in a lane segment, for clipping long labels.
    if (scroll || !this.fit) {
      const width = this.body.clientWidth || 360;
      this.fit = Math.max(10, Math.floor(((width - 40) * 0.46 - 12) / 6.7));
    }
    const rows = rowsFor(msg);
    if (!rows.length) return;
    if (this.t0 === null) this.t0 = msg.time;
    const stick = scroll && (this.follow || atBottom(this.body));
    const frag = document.createDocumentFragment();
    rows.forEach((row, i) => frag.append(this.renderRow(row, msg, i === 0)));
    this.body.append(frag);
    this.count += rows.length;
    while (this.body.childElementCount > this.max) {
      this.body.firstElementChild.remove();
    }
    this.empty.hidden = true;
    this.countEl.textContent = `${this.body.childElementCount} rows`;
    if (!scroll) return;
    this.follow = stick;
    this.scrollToEnd();
  }

  renderRow(row, msg, first) {
    const t = Math.max(0, (msg.time - this.t0) / 1000).toFixed(3);
    const cls = `seq-row seq-${row.style}${row.note ? ' seq-note-row' : ''}`;
    const div = h('div', { class: cls, dataset: { seq: msg.seq, sock: msg.sock ?? '' } });
    div.append(h('span', { class: 'seq-time' }, first ? t : ''));
    // The drawing is for the eye (its tooltip is the raw message); a screen
    // reader gets the row as a sentence.
    div.append(h('span', { class: 'sr-only' }, row.note ? `note: ${row.note}` : spokenRow(row, msg)));
    const svg = s('svg', { class: 'seq-svg', height: ROW_H, width: '100%', 'aria-hidden': 'true' });
    svg.append(s('title', {}, row.title || plainLabel(row)));
    for (const lane of Object.values(LANES)) {
      svg.append(s('line', { class: 'seq-life', x1: `${lane}%`, x2: `${lane}%`, y1: 0, y2: ROW_H }));
    }
    if (row.note) {
      svg.append(s('line', { class: 'seq-note-line', x1: '2%', x2: '98%', y1: ROW_H / 2, y2: ROW_H / 2 }));
      svg.append(s('text', { class: 'seq-note', x: '50%', y: ROW_H / 2 + 4, 'text-anchor': 'middle' }, row.note));
    } else {
      drawArrow(svg, row, this.fit);
    }
    div.append(svg);
    if (row.sock !== null && row.sock !== undefined) div.style.setProperty('--hue', sockHue(row.sock));
    return div;
  }
}

const LANE_NAMES = { page: 'page', gw: 'gateway', peer: 'peer' };

// "page to gateway: #2 connect 127.0.0.1:4000", and an error's message.
function spokenRow(row, msg) {
  const said = `${LANE_NAMES[row.from]} to ${LANE_NAMES[row.to]}: ${labelWords(row)}`;
  return row.title && row.title !== msg.text && row.style === 'err' ? `${said} (${row.title})` : said;
}

function labelWords(row) {
  return [row.label, row.label2].filter(Boolean).map((p) => (Array.isArray(p) ? p.map((x) => x.t ?? x).join('') : p)).join(' · ');
}

function plainLabel(row) {
  return `${row.from} → ${row.to}: ${labelWords(row)}`;
}

function labelText(parts, attrs) {
  const text = s('text', attrs);
  for (const p of Array.isArray(parts) ? parts : [parts]) {
    if (typeof p === 'string') text.append(s('tspan', {}, p));
    else text.append(s('tspan', { class: p.c || '' }, p.t));
  }
  return text;
}

function clip(parts, max) {
  if (!parts || !max) return parts;
  const list = Array.isArray(parts) ? parts : [parts];
  let left = max;
  const out = [];
  for (const p of list) {
    const text = typeof p === 'string' ? p : p.t;
    if (left <= 0) break;
    const cut = text.length > left ? `${text.slice(0, Math.max(0, left - 1))}…` : text;
    left -= text.length;
    out.push(typeof p === 'string' ? cut : { ...p, t: cut });
  }
  return out;
}

function drawArrow(svg, row, fit) {
  const x1 = LANES[row.from];
  const x2 = LANES[row.to];
  const right = x2 > x1;
  const both = row.both;
  svg.append(s('line', { class: 'seq-arrow', x1: `${x1}%`, x2: `${x2}%`, y1: LINE_Y, y2: LINE_Y }));
  svg.append(s('use', { class: 'seq-head', href: right ? '#seq-head-r' : '#seq-head-l', x: `${x2}%`, y: LINE_Y }));
  if (both) svg.append(s('use', { class: 'seq-head', href: right ? '#seq-head-l' : '#seq-head-r', x: `${x1}%`, y: LINE_Y }));
  const spans = Math.abs(x2 - x1) > 60;
  if (spans) svg.append(s('use', { class: 'seq-via', href: '#seq-dot', x: `${LANES.gw}%`, y: LINE_Y }));
  // Labels read left to right from the left end of their segment: the main
  // label on the Page–Gateway segment, the second one on Gateway–Peer. An
  // arrow that only joins Gateway and Peer puts its main label there.
  const y = LINE_Y - 5;
  const left = Math.min(x1, x2);
  if (row.label) {
    // A label on the Page–Gateway segment may run on over the Gateway–Peer
    // one when that has no label of its own.
    svg.append(labelText(clip(row.label, row.label2 && left !== LANES.gw ? fit : fit * 2), { class: 'seq-label', x: `${left}%`, y, dx: 7 }));
  }
  if (row.label2) {
    svg.append(labelText(clip(row.label2, fit), { class: 'seq-label seq-label2', x: `${LANES.gw}%`, y, dx: 7 }));
  }
}

const sk = (sock) => (sock === null || sock === undefined ? [] : [{ t: `[${sock}] `, c: 'seq-sock' }]);
const idp = (id) => (typeof id === 'number' ? [{ t: `#${id} `, c: 'seq-id' }] : []);
// A frame's payload preview, at most n bytes; the preview itself may be the
// start of a longer payload.
const preview = (f, n = 14) => (f.preview && f.preview.length ? `"${escaped(f.preview, n, { more: f.length > f.preview.length })}"` : '');
const ep = (e) => (e ? (String(e.addr).includes(':') ? `[${e.addr}]:${e.port}` : `${e.addr}:${e.port}`) : '?');

/** The rows for one message: [{from, to, label, label2, style, sock, title}]. */
export function rowsFor(msg) {
  const j = msg.json || {};
  const sock = msg.sock;
  const title = msg.text || frameTitle(msg);
  const row = (from, to, label, style, extra = {}) => ({ from, to, label, style, sock, title, ...extra });

  if (msg.role === 'note' || msg.kind === 'note') return [{ note: msg.text, style: 'note', sock: null, title: msg.text }];
  if (msg.role === 'bad') return [row(msg.dir === 'out' ? 'page' : 'gw', msg.dir === 'out' ? 'gw' : 'page', 'unparsable text', 'err')];

  if (msg.role === 'frame') {
    const f = msg.frame || {};
    const out = msg.dir === 'out';
    if (f.type === 'DATA') {
      return [row(out ? 'page' : 'peer', out ? 'peer' : 'page', [...sk(sock), `DATA ${f.length} B`], 'data', { label2: preview(f) })];
    }
    if (f.type === 'DATAGRAM') {
      const addr = f.addr !== undefined ? `${String(f.addr).includes(':') ? `[${f.addr}]` : f.addr}:${f.port}` : '';
      return [row(out ? 'page' : 'peer', out ? 'peer' : 'page', [...sk(sock), `DATAGRAM ${f.length} B`], 'data',
        { label2: `${out ? 'to' : 'from'} ${addr} ${preview(f, 8)}`.trim() })];
    }
    if (f.type === 'WINDOW') {
      return [row(out ? 'page' : 'gw', out ? 'gw' : 'page', [...sk(sock), `WINDOW +${f.increment ?? '?'}`], 'win')];
    }
    return [row(out ? 'page' : 'gw', out ? 'gw' : 'page', [...sk(sock), f.type || 'frame'], 'err')];
  }

  if (msg.role === 'request') {
    let text;
    switch (j.op) {
      case 'hello': text = `hello v${j.version}`; break;
      case 'connect': text = `connect ${j.host}:${j.port}`; break;
      case 'listen': text = `listen ${j.host || '127.0.0.1'}:${j.port}`; break;
      case 'bind': text = `bind ${j.proto || 'udp'} ${j.host || '127.0.0.1'}:${j.port ?? 0}`; break;
      case 'resolve': text = `resolve ${j.host}`; break;
      default: text = j.op || 'request';
    }
    return [row('page', 'gw', [...idp(j.id), ...sk(sock), text], 'req')];
  }

  if (msg.role === 'reply') {
    const req = msg.request?.json || {};
    if (!j.ok) {
      const code = j.error?.code || 'error';
      return [row('gw', 'page', [...idp(j.id), { t: `✕ ${code}`, c: 'seq-err' }, ` ${j.op}`], 'err', { title: `${code}: ${j.error?.message || ''}` })];
    }
    const rows = [];
    switch (j.op) {
      case 'hello':
        rows.push(row('gw', 'page', [...idp(j.id), `ok · session ${String(j.session || '').slice(0, 8)}`], 'rep'));
        break;
      case 'connect':
        rows.push(row('gw', 'peer', `TCP ${ep(j.remote)}`, 'evt', { both: true, sock: j.sock }));
        rows.push(row('gw', 'page', [...idp(j.id), 'ok · ', ...sk(j.sock), `${ep(j.local)}`], 'rep', { sock: j.sock }));
        break;
      case 'listen':
      case 'bind':
        rows.push(row('gw', 'page', [...idp(j.id), 'ok · ', ...sk(j.sock), `on ${ep(j.local)}`], 'rep', { sock: j.sock }));
        break;
      case 'resolve':
        rows.push(row('gw', 'page', [...idp(j.id), `ok · ${(j.addrs || []).join(', ')}`], 'rep'));
        break;
      case 'shutdown':
        rows.push(row('gw', 'page', [...idp(j.id), 'ok'], 'rep'));
        rows.push(row('gw', 'peer', [...sk(sock), 'FIN'], 'evt'));
        break;
      case 'close':
        rows.push(row('gw', 'page', [...idp(j.id), 'ok'], 'rep'));
        if (req.sock !== undefined && msg.sockKind === 'tcp') rows.push(row('gw', 'peer', [...sk(sock), 'close'], 'evt'));
        break;
      default:
        rows.push(row('gw', 'page', [...idp(j.id), 'ok'], 'rep'));
    }
    return rows;
  }

  // Events.
  switch (j.op) {
    case 'accept':
      return [row('peer', 'page', [...sk(j.sock), `accept on [${j.listener}]`], 'evt', { label2: `from ${ep(j.remote)}`, sock: j.sock })];
    case 'eof':
      return [row('peer', 'page', [...sk(sock), 'eof'], 'evt', { label2: 'FIN' })];
    case 'closed':
      if (j.error) {
        return [row(j.error.code === 'ECONNRESET' ? 'peer' : 'gw', 'page', [...sk(sock), { t: `closed ${j.error.code}`, c: 'seq-err' }], 'err',
          { label2: j.error.code === 'ECONNRESET' ? 'RST' : undefined, title: `${j.error.code}: ${j.error.message || ''}` })];
      }
      return [row('gw', 'page', [...sk(sock), 'closed'], 'evt')];
    case 'error':
      return [row('gw', 'page', [...sk(sock), { t: `error ${j.error?.code || ''}`, c: 'seq-err' }], 'err', { title: `${j.error?.code}: ${j.error?.message || ''}` })];
    default:
      return [row('gw', 'page', [...sk(sock), j.op || 'event'], 'evt')];
  }
}

function frameTitle(msg) {
  const f = msg.frame;
  if (!f) return '';
  const parts = [`${f.type} sock ${f.sock}`];
  if (f.length !== undefined && f.type !== 'WINDOW') parts.push(`${f.length} bytes`);
  if (f.increment !== undefined) parts.push(`+${f.increment} credit`);
  if (f.addr !== undefined) parts.push(`${msg.dir === 'out' ? 'to' : 'from'} ${f.addr}:${f.port}`);
  const text = preview(f, 64);
  if (text) parts.push(text);
  return parts.join(' · ');
}
