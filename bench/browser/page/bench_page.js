// The browser bench's workloads, run in the page by bench/browser/browser_bench.mjs
// over the DevTools protocol (window.bench.run(...)). Each path is a byte
// stream to a TCP echo service, or to a WebSocket echo for the no-relay
// baseline; every workload checks each byte that comes back.
import { openSession } from './sockgate.js';
import { openPlainStream, openPlainDatagrams } from './plain_client.js';

// A stream: send(bytes), onData(fn(bytes)), close().
async function openRawWebSocket(url, protocols) {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  let onData = () => {};
  ws.onmessage = (event) => onData(new Uint8Array(event.data));
  return {
    onData(fn) { onData = fn; },
    send(bytes) { ws.send(bytes); },
    close() { ws.close(1000); },
  };
}

// wire: listen for 'wire' events as the playground's console does (every
// frame then goes through the wasm client, which describes it).
async function openProductStream(url, host, port, { wire = false } = {}) {
  const session = await openSession({ url });
  if (wire) {
    const seen = [];
    session.addEventListener('wire', ({ detail }) => {
      seen.push(detail);
      if (seen.length > 1000) seen.splice(0, 500);
    });
  }
  const { sock } = await session.connect(host, port);
  let onData = () => {};
  session.addEventListener('data', ({ detail }) => {
    if (detail.sock === sock) onData(detail.bytes);
  });
  return {
    onData(fn) { onData = fn; },
    send(bytes) { session.send(sock, bytes); },
    close() { session.closeSession(); },
  };
}

// A UDP socket: sendTo(port, bytes) to 127.0.0.1, onDatagram(fn(bytes)), close().
async function openProductDatagrams(url) {
  const session = await openSession({ url });
  const { sock } = await session.bind('127.0.0.1', 0);
  let onDatagram = () => {};
  session.addEventListener('datagram', ({ detail }) => {
    if (detail.sock === sock) onDatagram(detail.bytes);
  });
  return {
    onDatagram(fn) { onDatagram = fn; },
    sendTo(port, bytes) { session.sendTo(sock, '127.0.0.1', port, bytes); },
    close() { session.closeSession(); },
  };
}

function openDatagramPath(path, where) {
  switch (path) {
    case 'plain': return openPlainDatagrams(where.gateway);
    case 'product': return openProductDatagrams(where.gateway);
    default: throw new Error(`no datagram path ${path}`);
  }
}

function openPath(path, where) {
  switch (path) {
    case 'raw-ws': return openRawWebSocket(where.wsEcho);
    case 'websockify': return openRawWebSocket(where.websockify, ['binary']);
    case 'plain': return openPlainStream(where.gateway, '127.0.0.1', where.tcpEcho);
    case 'product': return openProductStream(where.gateway, '127.0.0.1', where.tcpEcho);
    case 'product-wire': return openProductStream(where.gateway, '127.0.0.1', where.tcpEcho, { wire: true });
    default: throw new Error(`no path ${path}`);
  }
}

// Byte i of a run is patternByte(i): any lost, repeated or reordered byte
// shows as a mismatch. Received bytes are compared with the bytes sent (a
// plain array compare), so checking costs the page as little as it can.
const patternByte = (i) => (Math.imul(i, 131) + (i >>> 11)) & 0xff;

function pattern(size, offset = 0) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = patternByte(offset + i);
  return bytes;
}

// The first position at which `bytes` differs from expected[at...], or -1.
function mismatch(bytes, expected, at) {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== expected[at + i]) return at + i;
  return -1;
}

// The bulk run's bytes, made once per size by bench.prepare(), outside
// the time and the main-thread figures of the runs.
let prepared = new Uint8Array(0);

// `total` bytes echoed in `chunk`-byte writes, at most `inFlight` bytes
// sent and not yet back.
async function throughput(stream, { total, chunk, inFlight }) {
  if (prepared.length < total) prepared = pattern(total);
  const all = prepared.subarray(0, total); // pattern bytes depend on position only
  const chunks = [];
  for (let offset = 0; offset < total; offset += chunk) chunks.push(all.subarray(offset, Math.min(offset + chunk, total)));
  let sent = 0;
  let next = 0;
  let received = 0;
  let bad = -1;
  const started = performance.now();
  await new Promise((resolve) => {
    const pump = () => {
      while (next < chunks.length && sent - received + chunks[next].length <= inFlight) {
        stream.send(chunks[next]);
        sent += chunks[next].length;
        next++;
      }
    };
    stream.onData((bytes) => {
      const at = received + bytes.length > total ? received : mismatch(bytes, all, received);
      if (at >= 0 && bad < 0) bad = at;
      received += bytes.length;
      if (received >= total) resolve();
      else pump();
    });
    pump();
  });
  const ms = performance.now() - started;
  return { bytes: received, ms, firstBadByte: bad };
}

// `count` round trips of `size` bytes, one at a time.
async function roundTrips(stream, { count, size }) {
  const samples = new Float64Array(count);
  let bad = -1;
  let offset = 0;
  for (let n = 0; n < count; n++) {
    const message = pattern(size, offset);
    let got = 0;
    const t0 = performance.now();
    await new Promise((resolve) => {
      stream.onData((bytes) => {
        const at = got + bytes.length > size ? got : mismatch(bytes, message, got);
        if (at >= 0 && bad < 0) bad = offset + at;
        got += bytes.length;
        if (got >= size) resolve();
      });
      stream.send(message);
    });
    samples[n] = performance.now() - t0;
    offset += size;
  }
  samples.sort();
  return {
    count,
    p50_us: samples[Math.floor(count / 2)] * 1000,
    p99_us: samples[Math.min(count - 1, Math.floor(count * 0.99))] * 1000,
    firstBadByte: bad,
  };
}

// `count` datagrams of `size` bytes to a UDP echo, at most `window` sent
// and not yet back. Each starts with its number (4 bytes) and goes on with
// the pattern from there, so a wrong or mixed-up echo is seen. UDP may
// lose a datagram: when nothing comes back for `lossMs`, those still out
// are counted lost and the window refills, so a run always ends.
async function datagrams(socket, { count, size, window, lossMs }, port) {
  const out = new Map(); // number -> bytes sent
  let next = 0;
  let received = 0;
  let lost = 0;
  let bad = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    let timer = null;
    const done = () => received + lost >= count;
    const fill = () => {
      while (next < count && out.size < window) {
        const bytes = pattern(size, next * size);
        new DataView(bytes.buffer).setUint32(0, next);
        out.set(next, bytes);
        socket.sendTo(port, bytes);
        next++;
      }
    };
    const watch = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        lost += out.size;
        out.clear();
        if (done()) resolve();
        else { fill(); watch(); }
      }, lossMs);
    };
    socket.onDatagram((bytes) => {
      const n = bytes.length >= 4 ? new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0) : -1;
      const sent = out.get(n);
      if (!sent) return; // counted lost already, or not ours
      out.delete(n);
      received++;
      if (sent.length !== bytes.length || mismatch(bytes, sent, 0) >= 0) bad++;
      if (done()) {
        clearTimeout(timer);
        resolve();
        return;
      }
      fill();
      watch();
    });
    fill();
    watch();
  });
  const ms = performance.now() - started;
  return { count, received, lost, bad, ms, datagramsPerSecond: received / (ms / 1000) };
}

window.bench = {
  prepare(total) {
    if (prepared.length < total) prepared = pattern(total);
  },
  async datagrams(path, params, where) {
    const socket = await openDatagramPath(path, where);
    try {
      return await datagrams(socket, params, where.udpEcho);
    } finally {
      socket.close();
    }
  },
  async run(path, workload, params, where) {
    const stream = await openPath(path, where);
    try {
      return workload === 'throughput' ? await throughput(stream, params) : await roundTrips(stream, params);
    } finally {
      stream.close();
    }
  },
};
window.benchReady = true;
