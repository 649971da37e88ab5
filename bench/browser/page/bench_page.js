// The browser bench's workloads, run in the page by bench/browser/browser_bench.mjs
// over the DevTools protocol (window.bench.run(...)). Each path is a byte
// stream to a TCP echo service, or to a WebSocket echo for the no-relay
// baseline; every workload checks each byte that comes back.
import { openSession } from './sockgate.js';
import { openPlainStream } from './plain_client.js';

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

async function openProductStream(url, host, port) {
  const session = await openSession({ url });
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

function openPath(path, where) {
  switch (path) {
    case 'raw-ws': return openRawWebSocket(where.wsEcho);
    case 'websockify': return openRawWebSocket(where.websockify, ['binary']);
    case 'plain': return openPlainStream(where.gateway, '127.0.0.1', where.tcpEcho);
    case 'product': return openProductStream(where.gateway, '127.0.0.1', where.tcpEcho);
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

window.bench = {
  prepare(total) {
    if (prepared.length < total) prepared = pattern(total);
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
