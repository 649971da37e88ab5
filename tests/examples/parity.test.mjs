// The example programs behave the same natively and compiled to wasm on the
// gateway. For TCP and UDP, a native server and a native client give the
// reference output; then each wasm program is paired with the native
// counterpart (and the two wasm programs with each other), and every
// program must print exactly the reference lines, addresses and ports aside.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { describeRun, freePort, normalize, Program, startGateway } from './harness.mjs';

let gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => {
  await gateway?.stop();
});

// Runs server and client of one protocol and returns both results.
async function runPair(proto, serverKind, clientKind) {
  const port = String(await freePort(proto));
  const serverArgs = proto === 'udp' ? ['localhost', port, '1'] : ['localhost', port];
  const server = new Program(serverKind, `${proto}_server`, serverArgs, gateway);
  try {
    await server.waitFor(/listening on/);
  } catch (e) {
    server.kill();
    const r = await server.result();
    throw new Error(`${e.message}\n${describeRun(server, r)}`);
  }
  const client = new Program(clientKind, `${proto}_client`, ['localhost', port], gateway);
  const [s, c] = await Promise.all([server.result(), client.result()]);
  for (const [program, result] of [
    [server, s],
    [client, c],
  ]) {
    assert.equal(result.code, 0, describeRun(program, result));
  }
  return { server: s, client: c };
}

for (const proto of ['tcp', 'udp']) {
  describe(`${proto} examples`, () => {
    let reference;

    test(`native ${proto}_server with native ${proto}_client (reference)`, async () => {
      reference = await runPair(proto, 'native', 'native');
      assert.ok(reference.server.stdout.length >= 3, reference.server.stdout.join('\n'));
      assert.ok(reference.client.stdout.length >= 2, reference.client.stdout.join('\n'));
    });

    const pairs = [
      ['wasm', 'native'],
      ['native', 'wasm'],
      ['wasm', 'wasm'],
    ];
    for (const [serverKind, clientKind] of pairs) {
      test(`${serverKind} ${proto}_server with ${clientKind} ${proto}_client`, async () => {
        assert.ok(reference, 'the reference run failed');
        const run = await runPair(proto, serverKind, clientKind);
        assert.deepEqual(normalize(run.server.stdout), normalize(reference.server.stdout),
          `${serverKind} ${proto}_server printed other lines`);
        assert.deepEqual(normalize(run.client.stdout), normalize(reference.client.stdout),
          `${clientKind} ${proto}_client printed other lines`);
        assert.deepEqual(run.server.stderr, [], `${serverKind} ${proto}_server wrote to stderr`);
        assert.deepEqual(run.client.stderr, [], `${clientKind} ${proto}_client wrote to stderr`);
      });
    }
  });
}

test('the expected conversation takes place', async () => {
  const run = await runPair('tcp', 'wasm', 'wasm');
  assert.deepEqual(normalize(run.server.stdout), [
    'Server listening on <ip>:<port>',
    'Client connected from <ip>:<port>',
    'Received: Hello from client!',
    'Sent: Hello from server!',
  ]);
  assert.deepEqual(normalize(run.client.stdout), [
    'Connected to <ip>:<port>',
    'Sent: Hello from client!',
    'Received: Hello from server!',
  ]);
  const udp = await runPair('udp', 'wasm', 'wasm');
  assert.deepEqual(normalize(udp.server.stdout), [
    'UDP server listening on <ip>:<port>',
    'Received from <ip>:<port>: Hello from UDP client!',
    'Sent to <ip>:<port>: Hello from UDP server!',
  ]);
  assert.deepEqual(normalize(udp.client.stdout), [
    'Sent to <ip>:<port>: Hello from UDP client!',
    'Received from <ip>:<port>: Hello from UDP server!',
  ]);
});
