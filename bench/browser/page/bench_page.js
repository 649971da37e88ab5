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
// shows as a mismatch.
const patternByte = (i) => (i * 131 + (i >>> 11)) & 0xff;

function patternChunk(offset, size) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = patternByte(offset + i);
  return bytes;
}

// `total` bytes echoed in `chunk`-byte writes, at most `inFlight` bytes
// sent and not yet back. The chunks are made before the clock starts.
async function throughput(stream, { total, chunk, inFlight }) {
  const chunks = [];
  for (let offset = 0; offset < total; offset += chunk) chunks.push(patternChunk(offset, Math.min(chunk, total - offset)));
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
      for (let i = 0; i < bytes.length; i++) {
        if (bytes[i] !== patternByte(received + i) && bad < 0) bad = received + i;
      }
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
    const message = patternChunk(offset, size);
    let got = 0;
    const t0 = performance.now();
    await new Promise((resolve) => {
      stream.onData((bytes) => {
        for (let i = 0; i < bytes.length; i++) {
          if (bytes[i] !== patternByte(offset + got + i) && bad < 0) bad = offset + got + i;
        }
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
