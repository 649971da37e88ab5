// Watching the WebSocket of a C++ example run. Such a program keeps its
// gateway session inside its own wasm module (wasm/posix), out of the page's
// reach, so the page cannot listen to it as it listens to a SockgateSession.
// What it can do is recognise the program's WebSocket by a marker in its URL
// (runUrl: ?run=KEY, which the gateway ignores) and copy every message on it
// into 'wire' details of the shape SockgateSession emits (sockgate.js), for
// the sockets table, the sequence diagram and the wire view.
//
// The page's WebSocket constructor is replaced by a subclass that does
// nothing unless the URL carries a key someone is watching.

const watchers = new Map(); // key -> {wire(detail), closed({code, reason})}
let installed = false;

// Bytes of a payload kept for the views, as the wasm client keeps them
// (wasm/browser/js_session.cpp, js_values.cpp).
const PREVIEW_BYTES = 64;
const RAW_BYTES = 128;

/** The gateway URL for a watched run: wsUrl with ?run=key. */
export function runUrl(wsUrl, key) {
  const url = new URL(wsUrl);
  url.searchParams.set('run', key);
  return url.href;
}

/** Calls wire(detail) for every message on the WebSocket opened with runUrl(…, key); returns a function that stops watching. */
export function watchRun(key, { wire, closed }) {
  install();
  watchers.set(String(key), { wire, closed });
  return () => watchers.delete(String(key));
}

function install() {
  if (installed || typeof WebSocket === 'undefined') return;
  installed = true;
  const Native = globalThis.WebSocket;
  globalThis.WebSocket = class WebSocket extends Native {
    #watcher = null;

    constructor(url, ...rest) {
      super(url, ...rest);
      let key = null;
      try { key = new URL(url, location.href).searchParams.get('run'); } catch { /* not ours */ }
      const watcher = key === null ? null : watchers.get(key);
      if (!watcher) return;
      this.#watcher = watcher;
      this.addEventListener('message', (e) => watcher.wire(describe('in', e.data)));
      this.addEventListener('close', (e) => watcher.closed?.({ code: e.code, reason: e.reason }));
    }

    send(data) {
      // Described before sending: Emscripten passes a view of its heap.
      if (this.#watcher && this.readyState === Native.OPEN) this.#watcher.wire(describe('out', data));
      super.send(data);
    }
  };
}

/** A 'wire' detail for one WebSocket message (text, ArrayBuffer or view). */
export function describe(dir, data) {
  const time = performance.now();
  if (typeof data === 'string') return { dir, kind: 'text', text: data, time };
  const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return { dir, kind: 'binary', frame: decodeFrame(bytes), size: bytes.length, raw: bytes.slice(0, RAW_BYTES), time };
}

/**
 * The summary of a binary frame (docs/PROTOCOL.md §4): {type, sock, length,
 * preview, addr, port, increment}, or {type: 'INVALID', error}.
 */
export function decodeFrame(b) {
  if (b.length < 5) return { type: 'INVALID', error: 'shorter than the 5-byte header', length: 0 };
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sock = view.getUint32(1);
  const payload = (from) => ({ length: b.length - from, preview: b.slice(from, from + PREVIEW_BYTES) });
  switch (b[0]) {
    case 0x01:
      return { type: 'DATA', sock, ...payload(5) };
    case 0x02: {
      const family = b[5];
      const addrLen = family === 4 ? 4 : family === 6 ? 16 : 0;
      if (!addrLen || b.length < 8 + addrLen) return { type: 'INVALID', sock, error: 'bad DATAGRAM address', length: 0 };
      const addr = family === 4 ? [...b.subarray(6, 10)].join('.') : ipv6(b.subarray(6, 22));
      return { type: 'DATAGRAM', sock, addr, port: view.getUint16(6 + addrLen), ...payload(8 + addrLen) };
    }
    case 0x03:
      if (b.length !== 9) return { type: 'INVALID', sock, error: 'WINDOW is not 9 bytes', length: 0 };
      return { type: 'WINDOW', sock, increment: view.getUint32(5), length: 0 };
    default:
      return { type: 'INVALID', sock, error: `unknown kind 0x${b[0].toString(16)}`, length: 0 };
  }
}

// RFC 5952 text: the longest run of two or more zero groups becomes "::".
function ipv6(b) {
  const groups = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i] << 8) | b[i + 1]);
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len && j - i >= 2) best = { at: i, len: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.len).join(':')}`;
}
