// Module.sockgateStop() (what the page's Stop button calls) ends a wasm
// program that is blocked in a socket call as Ctrl+C ends a native one:
// exit status 130, no error of its own printed, and its ports become free.
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
  // accept() never returned to the program: nothing to report, no code 1.
  assert.equal(r.code, 130, describeRun(server, r));
  assert.deepEqual(r.stderr, [], describeRun(server, r));

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
  assert.equal(r.code, 130, describeRun(server, r));
  assert.deepEqual(r.stderr, [], describeRun(server, r));
  await waitFor(() => portIsFree(port, 'udp'), `port ${port} still taken after the stop`);
});

test('a program that retries every failure is still ended by one stop', async () => {
  const port = await freePort('tcp');
  const server = new Program('wasm', 'socket_probe', ['stubborn', 'localhost', String(port)], gateway);
  await server.waitFor(/^listening$/);

  server.stop();
  const r = await server.result();
  assert.equal(r.code, 130, describeRun(server, r));
  assert.deepEqual(r.stderr, [], describeRun(server, r));
  await waitFor(() => portIsFree(port, 'tcp'), `port ${port} still taken after the stop`);
});

test('stopping ends udp_client waiting for a reply and closes its session', async () => {
  // The UDP client blocks in recvfrom on a port where nobody answers.
  const port = await freePort('udp');
  const client = new Program('wasm', 'udp_client', ['localhost', String(port)], gateway);
  await client.waitFor(/^Sent to/);
  client.stop();
  const r = await client.result();
  assert.equal(r.code, 130, describeRun(client, r));
  assert.deepEqual(r.stderr, [], describeRun(client, r));
  await waitFor(async () => (await gateway.health()).sessions === 0, 'a session is still open');
});
