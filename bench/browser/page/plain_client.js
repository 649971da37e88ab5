// A plain-JS client of sockgate.v1 for one TCP connection: the baseline the
// product (sockgate.js + the wasm client) is measured against. It does what
// the protocol asks and nothing more: hello, connect, DATA under the
// gateway's credit, WINDOW back once half a window has been consumed.

const KIND_DATA = 0x01;
const KIND_WINDOW = 0x03;

export async function openPlainStream(url, host, port) {
  const ws = new WebSocket(url, 'sockgate.v1');
  ws.binaryType = 'arraybuffer';
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
  const replies = [];
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
      const message = JSON.parse(event.data);
      if (message.id !== undefined) replies.shift()?.(message);
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

  let nextId = 1;
  const request = (fields) => new Promise((resolve, reject) => {
    replies.push((reply) => (reply.ok ? resolve(reply) : reject(new Error(JSON.stringify(reply.error)))));
    ws.send(JSON.stringify({ id: nextId++, ...fields }));
  });
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
