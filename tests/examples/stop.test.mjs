// Module.sockgateStop() (what the page's Stop button calls) ends a wasm
// program that is blocked in a socket call, and its ports become free.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { describeRun, freePort, portIsFree, Program, startGateway } from './harness.mjs';
import { waitFor } from '../support/wait.mjs';

let gateway;
before(async () => {
  gateway = await startGateway();
});
after(async () => {
  await gateway?.stop();
});

// The gateway frees a session's ports as its WebSocket closes; wait for that
// rather than racing it.

test('stopping ends tcp_server blocked in accept and frees its port', async () => {
  const port = await freePort('tcp');
  const server = new Program('wasm', 'tcp_server', ['localhost', String(port)], gateway);
  await server.waitFor(/Server listening/);
  assert.equal(await portIsFree(port, 'tcp'), false, 'the wasm server does not hold its port');

  server.stop();
  const r = await server.result();
  // accept() failed, the program reported it and returned 1 on its own.
  assert.equal(r.code, 1, describeRun(server, r));
  assert.deepEqual(r.stderr, ['accept: Connection reset by peer'], describeRun(server, r));

  await waitFor(() => portIsFree(port, 'tcp'), `port ${port} still taken after the stop`);
  await waitFor(async () => (await gateway.health()).sockets === 0, 'the gateway still holds sockets');
});

test('stopping ends udp_server blocked in recvfrom and frees its port', async () => {
  const port = await freePort('udp');
  const server = new Program('wasm', 'udp_server', ['localhost', String(port)], gateway);
  await server.waitFor(/listening on/);
  assert.equal(await portIsFree(port, 'udp'), false, 'the wasm server does not hold its port');

  server.stop();
  const r = await server.result();
  assert.equal(r.code, 1, describeRun(server, r));
  assert.deepEqual(r.stderr, ['recvfrom: Connection reset by peer'], describeRun(server, r));
  await waitFor(() => portIsFree(port, 'udp'), `port ${port} still taken after the stop`);
});

test('a program that ignores the failures is ended with status 143', async () => {
  const port = await freePort('tcp');
  const server = new Program('wasm', 'socket_probe', ['stubborn', 'localhost', String(port)], gateway);
  await server.waitFor(/^listening$/);

  server.stop();
  const r = await server.result();
  assert.equal(r.code, 143, describeRun(server, r));
  // It saw the first failure, retried, and was ended on the second.
  assert.deepEqual(r.stderr, ['accept: Connection reset by peer'], describeRun(server, r));
  await waitFor(() => portIsFree(port, 'tcp'), `port ${port} still taken after the stop`);
});

test('stopping ends udp_client waiting for a reply and closes its session', async () => {
  // The UDP client blocks in recvfrom on a port where nobody answers.
  const port = await freePort('udp');
  const client = new Program('wasm', 'udp_client', ['localhost', String(port)], gateway);
  await client.waitFor(/^Sent to/);
  client.stop();
  const r = await client.result();
  assert.equal(r.code, 1, describeRun(client, r));
  assert.deepEqual(r.stderr, ['recvfrom: Connection reset by peer'], describeRun(client, r));
  await waitFor(async () => (await gateway.health()).sessions === 0, 'a session is still open');
});
