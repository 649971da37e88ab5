// A plain-JS client of sockgate.v1 for one TCP connection or one UDP
// socket: the baseline the product (sockgate.js + the wasm client) is
// measured against. It does what the protocol asks and nothing more: hello,
// connect, DATA under the gateway's credit, WINDOW back once half a window
// has been consumed; or bind, and DATAGRAM frames both ways.

const KIND_DATA = 0x01;
const KIND_DATAGRAM = 0x02;
const KIND_WINDOW = 0x03;

// The WebSocket open, and request(fields) resolving the reply to each.
async function openControl(url) {
  const ws = new WebSocket(url, 'sockgate.v1');
  ws.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  const replies = [];
  let nextId = 1;
  const onText = (text) => {
    const message = JSON.parse(text);
    if (message.id !== undefined) replies.shift()?.(message);
  };
  const request = (fields) => new Promise((resolve, reject) => {
    replies.push((reply) => (reply.ok ? resolve(reply) : reject(new Error(JSON.stringify(reply.error)))));
    ws.send(JSON.stringify({ id: nextId++, ...fields }));
  });
  return { ws, onText, request };
}

// One UDP socket bound on loopback: sendTo(port, bytes) to 127.0.0.1,
// onDatagram(fn(bytes)).
export async function openPlainDatagrams(url) {
  const { ws, onText, request } = await openControl(url);
  let onDatagram = () => {};
  let sock = 0;
  ws.onmessage = (event) => {
    if (typeof event.data === 'string') return onText(event.data);
    const bytes = new Uint8Array(event.data);
    if (bytes[0] !== KIND_DATAGRAM || new DataView(event.data).getUint32(1) !== sock) return undefined;
    return onDatagram(bytes.subarray(bytes[5] === 6 ? 24 : 12));
  };
  await request({ op: 'hello', version: 1 });
  sock = (await request({ op: 'bind', proto: 'udp', host: '127.0.0.1' })).sock;
  return {
    onDatagram(fn) { onDatagram = fn; },
    sendTo(port, payload) {
      const frame = new Uint8Array(12 + payload.length);
      const v = new DataView(frame.buffer);
      frame[0] = KIND_DATAGRAM;
      v.setUint32(1, sock);
      frame.set([4, 127, 0, 0, 1], 5);
      v.setUint16(10, port);
      frame.set(payload, 12);
      ws.send(frame);
    },
    close() { ws.close(1000); },
  };
}

export async function openPlainStream(url, host, port) {
  const { ws, onText, request } = await openControl(url);
  let onData = () => {};
  let sock = 0;
  let sendCredit = 0;
  let window = 0;
  let consumed = 0;
  const waiting = []; // [bytes, offset] not yet sent for lack of credit

  function flush() {
    while (waiting.length && sendCredit > 0) {
      const item = waiting[0];
      const n = Math.min(item.bytes.length - item.offset, sendCredit);
      const frame = new Uint8Array(5 + n);
      frame[0] = KIND_DATA;
      new DataView(frame.buffer).setUint32(1, sock);
      frame.set(item.bytes.subarray(item.offset, item.offset + n), 5);
      ws.send(frame);
      sendCredit -= n;
      item.offset += n;
      if (item.offset === item.bytes.length) waiting.shift();
    }
  }

  ws.onmessage = (event) => {
    if (typeof event.data === 'string') {
      onText(event.data);
      return;
    }
    const view = new DataView(event.data);
    const kind = view.getUint8(0);
    if (view.getUint32(1) !== sock) return;
    if (kind === KIND_WINDOW) {
      sendCredit += view.getUint32(5);
      flush();
    } else if (kind === KIND_DATA) {
      const payload = new Uint8Array(event.data, 5);
      onData(payload);
      consumed += payload.length;
      if (consumed >= window / 2) {
        const grant = new Uint8Array(9);
        const g = new DataView(grant.buffer);
        g.setUint8(0, KIND_WINDOW);
        g.setUint32(1, sock);
        g.setUint32(5, consumed);
        ws.send(grant);
        consumed = 0;
      }
    }
  };

  const hello = await request({ op: 'hello', version: 1 });
  window = hello.window;
  const connected = await request({ op: 'connect', proto: 'tcp', host, port });
  sock = connected.sock;
  sendCredit = window;

  return {
    onData(fn) { onData = fn; },
    send(bytes) {
      waiting.push({ bytes, offset: 0 });
      flush();
    },
    close() { ws.close(1000); },
  };
}
