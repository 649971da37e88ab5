// Shared pieces of the tests of web/src/sockgate.js: the wasm client loaded
// under Node, native peers, and small helpers for waiting on events; the
// real gateway comes from tests/support/gateway.mjs. Not a test file itself (node --test only
// runs *.test.mjs).
//
// Environment:
//   SOCKGATE_WASM_DIR     where sockgate_client.mjs/.wasm are
//                         (default build-wasm/wasm/browser)
import { readFile } from 'node:fs/promises';
import { after, before } from 'node:test';
import net from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

import { WebSocket } from 'ws';

import * as sockgate from '../../web/src/sockgate.js';
import { startGateway } from '../support/gateway.mjs';

// Node 20 has no WebSocket; the wasm client's transport needs one. With
// SOCKGATE_TEST_NATIVE_WEBSOCKET=1 and NODE_OPTIONS=--experimental-websocket
// the tests use Node's own, which follows the browser rules more closely
// than ws (for example it rejects close code 1001 from a client).
export const nativeWebSocket = Boolean(process.env.SOCKGATE_TEST_NATIVE_WEBSOCKET && globalThis.WebSocket);
if (!nativeWebSocket) globalThis.WebSocket = WebSocket;

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const wasmDir = process.env.SOCKGATE_WASM_DIR ?? path.join(repo, 'build-wasm/wasm/browser');
export const moduleUrl = pathToFileURL(path.join(wasmDir, 'sockgate_client.mjs'));

export const { SockgateError } = sockgate;

// ---------------------------------------------------------------- the wasm client

let factoryPromise;

// An Emscripten-style factory that supplies the .wasm bytes, as Node needs.
export async function moduleFactory(options = {}) {
  factoryPromise ??= Promise.all([
    import(moduleUrl.href),
    readFile(path.join(wasmDir, 'sockgate_client.wasm')),
  ]).catch((e) => {
    throw new Error(`no wasm client in ${wasmDir} (build target sockgate_client_js, ` +
      `or point SOCKGATE_WASM_DIR at its output): ${e.message}`);
  });
  const [{ default: create }, wasmBinary] = await factoryPromise;
  return create({ ...options, wasmBinary });
}

// openSession against a gateway, with the module loaded as above.
export function openSession(gateway, options = {}) {
  return sockgate.openSession({ url: gateway.wsUrl, moduleFactory, ...options });
}

// ---------------------------------------------------------------- the gateway

// One copy of it for every Node suite: tests/support/gateway.mjs.
export { startGateway };

// A gateway and one session on it for the tests of the calling describe
// block (or file): started before its first test, ended after its last.
// Tests read suite.gateway and suite.session once the hooks have run.
export function gatewaySession() {
  const suite = { gateway: null, session: null };
  before(async () => {
    suite.gateway = await startGateway();
    suite.session = await openSession(suite.gateway);
  });
  after(async () => {
    await suite.session?.closeSession();
    await suite.gateway?.stop();
  });
  return suite;
}

// ---------------------------------------------------------------- native peers

// A TCP server on 127.0.0.1; `onConnection` gets each accepted net.Socket.
// close() destroys the connections still open, so that a test that fails
// with its socket open ends with its assertion instead of waiting forever
// for the server to drain.
export async function tcpServer(onConnection) {
  const open = new Set();
  const server = net.createServer((socket) => {
    open.add(socket);
    socket.once('close', () => open.delete(socket));
    onConnection(socket);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        for (const socket of open) socket.destroy();
      }),
  };
}

// Connects a Node TCP client to 127.0.0.1:port.
export function tcpClient(port) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

// All bytes a Node socket receives until its peer ends the stream.
export function readAll(socket) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    socket.on('data', (c) => chunks.push(c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

// ---------------------------------------------------------------- events

// The detail of the next `name` event whose detail satisfies `accept`.
export function nextEvent(target, name, accept = () => true, timeoutMs = 5_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      target.removeEventListener(name, listener);
      reject(new Error(`no '${name}' event within ${timeoutMs} ms`));
    }, timeoutMs);
    function listener(event) {
      if (!accept(event.detail)) return;
      clearTimeout(timer);
      target.removeEventListener(name, listener);
      resolve(event.detail);
    }
    target.addEventListener(name, listener);
  });
}

// Every detail of `name` events from now on, in an array that keeps filling.
export function record(target, name) {
  const seen = [];
  target.addEventListener(name, (event) => seen.push(event.detail));
  return seen;
}

// Gathers the 'data' bytes of one socket until `size` bytes have arrived.
export function receiveBytes(session, sock, size, timeoutMs = 20_000) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let total = 0;
    const timer = setTimeout(() => {
      session.removeEventListener('data', listener);
      reject(new Error(`received ${total} of ${size} bytes on socket ${sock}`));
    }, timeoutMs);
    function listener({ detail }) {
      if (detail.sock !== sock) return;
      chunks.push(detail.bytes);
      total += detail.bytes.length;
      if (total < size) return;
      clearTimeout(timer);
      session.removeEventListener('data', listener);
      resolve(Buffer.concat(chunks));
    }
    session.addEventListener('data', listener);
  });
}

// Deterministic, non-repeating-looking test bytes.
export function patternBytes(size, seed = 1) {
  const bytes = new Uint8Array(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export const text = (bytes) => Buffer.from(bytes).toString('utf8');
