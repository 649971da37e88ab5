// socket_probe (non-blocking connect, poll, select, EAGAIN, FIONREAD, end of
// stream, refused connects, UDP, IPv6, a 4 MiB duplex transfer) prints the
// same lines natively and as wasm on the gateway, and passes both ways.
// Also: flow control reaches a wasm program that does not read.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';

import { describeRun, Program, startGateway } from './harness.mjs';
import { staysTrue, waitFor } from '../support/wait.mjs';

let gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => {
  await gateway?.stop();
});

test('socket_probe prints the same lines natively and as wasm', async () => {
  const native = new Program('native', 'socket_probe', [], gateway);
  const n = await native.result();
  assert.equal(n.code, 0, describeRun(native, n));

  const wasm = new Program('wasm', 'socket_probe', [], gateway);
  const w = await wasm.result();
  assert.equal(w.code, 0, describeRun(wasm, w));
  assert.deepEqual(w.stdout, n.stdout);
  assert.ok(w.stdout.includes('non-blocking connect starts: ok EINPROGRESS'), w.stdout.join('\n'));
  assert.ok(w.stdout.includes('recv without data: ok (EAGAIN)'), w.stdout.join('\n'));
  assert.equal(w.stdout.at(-1), 'all checks passed');
});

test('a wasm program that does not read holds back a native sender', async () => {
  // A native server streams `total` bytes as fast as the network takes them.
  const total = 32 * 1024 * 1024;
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  let peer;
  const server = net.createServer((socket) => {
    peer = socket;
    socket.on('error', () => {});
    let written = 0;
    const pump = () => {
      while (written < total) {
        written += chunk.length;
        if (!socket.write(chunk)) return socket.once('drain', pump);
      }
      socket.end();
    };
    pump();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = String(server.address().port);

  try {
    const reader = new Program('wasm', 'socket_probe', ['slow-reader', '127.0.0.1', port, '1500'], gateway);
    await reader.waitFor(/^connected$/);
    // While the program sleeps, what the network accepted from the sender
    // is bounded by the gateway's window and the kernel's buffers, not by
    // the 32 MiB the sender has.
    // The program sleeps 1500 ms before reading; watch the sender for 1000 ms
    // of that, failing as soon as it gets too much out.
    const whileTheProgramSleeps = 1000;
    await waitFor(() => peer, 'the program to connect to the sender');
    const accepted = () => peer.bytesWritten - peer.writableLength;
    await staysTrue(() => accepted() < total / 2, whileTheProgramSleeps,
      'the sender staying below half its data while nobody read');
    assert.ok(accepted() < total / 2, `the sender got ${accepted()} bytes out while nobody read`);

    await reader.waitFor(/^reading$/);
    const r = await reader.result();
    assert.equal(r.code, 0, describeRun(reader, r));
    assert.ok(r.stdout.includes(`received ${total} bytes`), describeRun(reader, r));
  } finally {
    server.close();
    peer?.destroy();
  }
});
