// Small formatting helpers shared by the panels: bytes as text or hex,
// endpoints, sizes, times, socket colours and readable errors.

const decoder = new TextDecoder('utf-8', { fatal: false });
const encoder = new TextEncoder();

/** Creates an element: h('div', {class: 'x', onclick: fn}, child, 'text', …). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** "127.0.0.1:9007", "[::1]:9007"; '—' when there is no endpoint. */
export function endpoint(ep) {
  if (!ep || ep.addr === undefined) return '—';
  return ep.addr.includes(':') ? `[${ep.addr}]:${ep.port}` : `${ep.addr}:${ep.port}`;
}

/** 0 B, 999 B, 1.5 KiB, 2.0 MiB. */
export function size(n) {
  if (n === undefined || n === null) return '—';
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Wall-clock time in ms for an event time that may be performance.now() or Date.now(). */
export function wallTime(t) {
  if (typeof t !== 'number' || !Number.isFinite(t)) return Date.now();
  return t > 1e12 ? t : performance.timeOrigin + t;
}

/** 14:03:07.123 */
export function clock(ms) {
  const d = new Date(ms);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return encoder.encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return new Uint8Array(0);
}

/** "68 65 6c 6c 6f" */
export function hex(bytes, max = Infinity) {
  const b = toBytes(bytes);
  const n = Math.min(b.length, max);
  let out = '';
  for (let i = 0; i < n; i++) out += (i ? ' ' : '') + b[i].toString(16).padStart(2, '0');
  if (b.length > n) out += ' …';
  return out;
}

/** Classic hex dump: offset, 16 bytes in hex, printable ASCII. */
export function hexdump(bytes) {
  const b = toBytes(bytes);
  const lines = [];
  for (let off = 0; off < b.length; off += 16) {
    const row = b.subarray(off, off + 16);
    let hx = '';
    let ascii = '';
    for (let i = 0; i < 16; i++) {
      if (i === 8) hx += ' ';
      if (i < row.length) {
        hx += row[i].toString(16).padStart(2, '0') + ' ';
        ascii += row[i] >= 0x20 && row[i] < 0x7f ? String.fromCharCode(row[i]) : '·';
      } else {
        hx += '   ';
      }
    }
    lines.push(`${off.toString(16).padStart(4, '0')}  ${hx} ${ascii}`);
  }
  return lines.join('\n');
}

const ESCAPES = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e' };

/**
 * Splits bytes into runs of plain text and escapes for control bytes, so the
 * caller can style the escapes: [{text, esc:false}, {text:'\\n', esc:true}].
 * Valid UTF-8 is shown as text; bytes that are not are shown as \xHH.
 */
export function escapeRuns(bytes) {
  const b = toBytes(bytes);
  const runs = [];
  let plain = '';
  const flush = () => { if (plain) { runs.push({ text: plain, esc: false }); plain = ''; } };
  const byteWise = (part) => {
    for (const c of part) {
      if (c >= 0x20 && c < 0x7f && c !== 0x5c) plain += String.fromCharCode(c);
      else { flush(); runs.push({ text: c === 0x5c ? '\\\\' : ESCAPES[c] || `\\x${c.toString(16).padStart(2, '0')}`, esc: true }); }
    }
  };
  // Text that is valid UTF-8 but for a character cut off at its end (data
  // split across reads, or a preview) stays text; only the cut bytes are
  // escaped.
  const tail = incompleteTail(b);
  const text = decoder.decode(b.subarray(0, b.length - tail));
  if (text.includes('\uFFFD')) {
    // Fall back to byte-wise escaping so no byte is hidden behind U+FFFD.
    byteWise(b);
  } else {
    for (const ch of text) {
      const c = ch.codePointAt(0);
      if (c === 0x5c) { flush(); runs.push({ text: '\\\\', esc: true }); }
      else if (c < 0x20 || c === 0x7f) { flush(); runs.push({ text: ESCAPES[c] || `\\x${c.toString(16).padStart(2, '0')}`, esc: true }); }
      else plain += ch;
    }
    byteWise(b.subarray(b.length - tail));
  }
  flush();
  return runs;
}

/**
 * How many bytes at the end of `b` are the start of a UTF-8 character that
 * is not complete: 0 when the last character is whole (or not UTF-8).
 */
export function incompleteTail(b) {
  for (let back = 1; back <= Math.min(3, b.length); back++) {
    const c = b[b.length - back];
    if ((c & 0xc0) === 0x80) continue; // a continuation byte: look further back
    const needs = c >= 0xf0 && c < 0xf8 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return needs > back ? back : 0;
  }
  return 0;
}

/**
 * Escaped text as one string: hello\n. With `max`, at most that many bytes,
 * cut before a character, then "…". With `more`, `bytes` are the start of a
 * longer payload (a preview): a character cut off at their end is left out
 * and "…" says there is more.
 */
export function escaped(bytes, max = Infinity, { more = false } = {}) {
  const b = toBytes(bytes);
  const join = (part) => escapeRuns(part).map((r) => r.text).join('');
  if (b.length <= max && !more) return join(b);
  // Cut before a character, not inside one.
  const head = b.subarray(0, Math.min(max, b.length));
  return `${join(head.subarray(0, head.length - incompleteTail(head)))}…`;
}

/** Renders bytes into a span, control escapes styled, as text or hex. */
export function bytesView(bytes, mode = 'text') {
  // Both: the text and its hex dump side by side.
  if (mode === 'both') return h('span', { class: 'bytes bytes-both' }, bytesView(bytes, 'text'), bytesView(bytes, 'hex'));
  const span = h('span', { class: `bytes bytes-${mode}` });
  if (mode === 'hex') {
    span.textContent = hexdump(bytes);
    return span;
  }
  for (const run of escapeRuns(bytes)) {
    span.append(run.esc ? h('span', { class: 'esc' }, run.text) : run.text);
  }
  return span;
}

/**
 * Parses the TEXT of console commands: backslash escapes \n \r \t \0 \\ \xHH
 * and \e; other backslashes stay as they are.
 */
export function unescapeText(text) {
  const out = [];
  const bytes = (s) => { for (const b of encoder.encode(s)) out.push(b); };
  let plain = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '\\' || i + 1 >= text.length) { plain += ch; continue; }
    const next = text[i + 1];
    const simple = { n: 10, r: 13, t: 9, 0: 0, '\\': 92, e: 27, a: 7 }[next];
    if (simple !== undefined) { bytes(plain); plain = ''; out.push(simple); i++; continue; }
    if (next === 'x' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes(plain); plain = '';
      out.push(parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
      continue;
    }
    plain += ch;
  }
  bytes(plain);
  return new Uint8Array(out);
}

/** "48 65 6c", "48656c", "0x48,0x65" → bytes; throws on odd or bad digits. */
export function parseHex(text) {
  const clean = text.replace(/0x/gi, '').replace(/[\s,:;-]/g, '');
  if (!clean.length) throw new Error('no hex digits');
  if (!/^[0-9a-fA-F]*$/.test(clean)) throw new Error(`not hex: ${text.trim()}`);
  if (clean.length % 2) throw new Error('odd number of hex digits');
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** A stable colour per socket id, as an HSL hue. */
const HUES = [212, 152, 275, 28, 188, 320, 95, 245, 50, 170];
export function sockHue(sock) {
  const n = Math.max(1, Number(sock) || 1) - 1;
  return HUES[n % HUES.length] + 7 * Math.floor(n / HUES.length) % 30;
}

/** A small coloured socket id badge. */
export function sockBadge(sock, extraClass = '') {
  return h('span', { class: `sock-badge ${extraClass}`, style: `--hue:${sockHue(sock)}`, title: `socket ${sock}` }, String(sock));
}

const PLAIN = {
  EACCES: 'Not allowed by the gateway’s policy',
  EADDRINUSE: 'That address and port are already in use',
  EADDRNOTAVAIL: 'That address does not belong to the gateway’s host',
  ECONNREFUSED: 'Connection refused: nothing is listening there',
  ECONNRESET: 'The peer reset the connection',
  ETIMEDOUT: 'Timed out',
  EHOSTUNREACH: 'No route to that host',
  ENETUNREACH: 'That network is unreachable',
  EMFILE: 'Too many sockets for this session',
  EBADF: 'No such socket (never opened, or already closed)',
  ENOTCONN: 'That socket is not a TCP connection',
  EPIPE: 'The socket was shut down for sending',
  EINVAL: 'Invalid request',
  EPROTO: 'Protocol error',
  EMSGSIZE: 'Message too large',
  EAFNOSUPPORT: 'Wrong address family (IPv4 socket, IPv6 destination?)',
  ENOTSUP: 'Not supported',
  EBADMSG: 'Malformed message',
  EPROTONOSUPPORT: 'Protocol version not supported',
  EAI_NONAME: 'No such host name',
  EAI_AGAIN: 'Temporary name resolution failure',
  ECANCELED: 'Cancelled',
  ENOTCONNECTED: 'Not connected to the gateway',
};

/** The plain-words meaning of an errno name. */
export function plainError(code) {
  return PLAIN[code] || 'Error';
}

/**
 * Pulls the advice out of a gateway denial:
 * "tcp to 127.0.0.2:22 is not allowed: no --allow rule covers it (rules: a, b). Allow it with --allow tcp:127.0.0.2/32:22"
 * → {what, reason, rules:[…], flag:'--allow', rule:'tcp:127.0.0.2/32:22'}
 */
export function parseDenial(message = '') {
  const m = /^(.*?) is not allowed: (.*?)(?: \(rules: (.*?)\))?\.?\s*Allow it with (--[a-z-]+)[ =](\S+?)\.?$/s.exec(message);
  if (!m) {
    const flag = /(--(?:allow|bind-allow))[ =](\S+)/.exec(message);
    return flag ? { what: null, reason: message, rules: [], flag: flag[1], rule: flag[2].replace(/\.$/, '') } : null;
  }
  return {
    what: m[1],
    reason: m[2],
    rules: m[3] ? m[3].split(/,\s*/) : [],
    flag: m[4],
    rule: m[5],
  };
}

/** Normalises anything thrown into {code, message}. */
export function errorInfo(err) {
  if (!err) return { code: 'EIO', message: 'unknown error' };
  if (err.error && typeof err.error === 'object') return errorInfo(err.error);
  return { code: err.code || err.name || 'Error', message: err.message || String(err) };
}

/** Copies text to the clipboard, falling back to a hidden textarea. */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const ta = h('textarea', { style: 'position:fixed;left:-9999px;top:0', readonly: true });
    ta.value = text;
    document.body.append(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch { ok = false; }
    ta.remove();
    return ok;
  }
}

/** A "Copy" button for a piece of text, with brief feedback. */
export function copyButton(getText, label = 'Copy', size = 'btn-small') {
  const btn = h('button', { type: 'button', class: `btn ${size} btn-copy`, title: 'Copy to clipboard' }, label);
  btn.addEventListener('click', async () => {
    const ok = await copyText(typeof getText === 'function' ? getText() : getText);
    btn.textContent = ok ? 'Copied' : 'Copy failed';
    btn.classList.toggle('copied', ok);
    setTimeout(() => { btn.textContent = label; btn.classList.remove('copied'); }, 1400);
  });
  return btn;
}

/** Runs fn at most once per animation frame. */
export function throttleFrame(fn) {
  let queued = false;
  return () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fn(); });
  };
}

/**
 * Like throttleFrame, and at most once per ms: for views that a busy
 * program would otherwise make the browser lay out on every frame.
 */
export function throttle(fn, ms) {
  let queued = false;
  let last = 0;
  return () => {
    if (queued) return;
    queued = true;
    setTimeout(() => requestAnimationFrame(() => {
      queued = false;
      last = performance.now();
      fn();
    }), Math.max(0, last + ms - performance.now()));
  };
}

/** True when a scrollable element is (nearly) scrolled to the bottom. */
export function atBottom(el, slack = 24) {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= slack;
}
