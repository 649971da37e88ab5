// The gateway session of a wasm program: a token from Module.sockgateToken,
// the gateway's policy surfacing as errno values, and a gateway that cannot
// be reached. All of it through the unmodified example programs.
import assert from 'node:assert/strict';
import net from 'node:net';
import { test } from 'node:test';

import { describeRun, freePort, Program, startGateway } from './harness.mjs';

// A native TCP peer that answers one connection like tcp_server does.
async function nativeReplier() {
  const server = net.createServer((socket) => {
    socket.once('data', () => socket.end('Hello from a native peer!'));
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: String(server.address().port), close: () => server.close() };
}

test('a gateway with --token admits a program that has the token, and only it', async () => {
  const gateway = await startGateway(['--token', 's3cret']);
  const peer = await nativeReplier();
  try {
    const without = new Program('wasm', 'tcp_client', ['127.0.0.1', peer.port], gateway);
    const a = await without.result();
    assert.equal(a.code, 1, describeRun(without, a));
    assert.match(a.stderr.join('\n'), /the gateway refused the session: EACCES/, describeRun(without, a));

    const withToken = new Program('wasm', 'tcp_client', ['127.0.0.1', peer.port], gateway, {
      env: { SOCKGATE_TOKEN: 's3cret' },
    });
    const b = await withToken.result();
    assert.equal(b.code, 0, describeRun(withToken, b));
    assert.ok(b.stdout.includes('Received: Hello from a native peer!'), describeRun(withToken, b));
  } finally {
    peer.close();
    await gateway.stop();
  }
});

test('what the policy denies fails with EACCES, for TCP at once and for UDP on the next call', async () => {
  // TCP only to ports other than the peer's; no UDP at all.
  const peer = await nativeReplier();
  const otherPort = Number(peer.port) === 65535 ? 65534 : Number(peer.port) + 1;
  const gateway = await startGateway(['--allow', `tcp:127.0.0.0/8:${otherPort}`]);
  try {
    const tcp = new Program('wasm', 'tcp_client', ['127.0.0.1', peer.port], gateway);
    const t = await tcp.result();
    assert.equal(t.code, 1, describeRun(tcp, t));
    assert.deepEqual(t.stderr, ['connect: Permission denied'], describeRun(tcp, t));

    const udpPort = String(await freePort('udp'));
    const udp = new Program('wasm', 'udp_client', ['127.0.0.1', udpPort], gateway);
    const u = await udp.result();
    assert.equal(u.code, 1, describeRun(udp, u));
    // Not "No reply within 5 seconds": the refusal ends the wait.
    assert.deepEqual(u.stderr, ['recvfrom: Permission denied'], describeRun(udp, u));
  } finally {
    peer.close();
    await gateway.stop();
  }
});

test('a gateway that cannot be reached makes network calls fail with a clear message', async () => {
  const port = await freePort('tcp');  // nobody listens here
  const program = new Program('wasm', 'tcp_client', ['127.0.0.1', '12345'], { wsUrl: `ws://127.0.0.1:${port}/ws` });
  const r = await program.result();
  assert.equal(r.code, 1, describeRun(program, r));
  assert.match(r.stderr[0] ?? '', /^sockgate: cannot reach the gateway at ws:\/\/127\.0\.0\.1:\d+\/ws/, describeRun(program, r));
  assert.equal(r.stderr.at(-1), 'connect: Network is down', describeRun(program, r));
});
