// A Node HTTP client makes one GET and one POST.
import assert from 'node:assert/strict';
import { httpRequest } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`serving on http://127.0.0.1:${ports.main}/`);
  const get = await httpRequest({ port: ports.main, path: '/index.html?x=1' });
  const payload = JSON.stringify({ name: 'Zoë 🐍', numbers: [1, 2, 3.5] });
  const post = await httpRequest({
    port: ports.main,
    method: 'POST',
    path: '/api',
    headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
    body: payload,
  });
  assert.match(get.headers.server, /^BaseHTTP\/[\d.]+ Python\/3\.\d+/);
  const pick = (r) => ({ status: r.status, type: r.headers['content-type'], length: r.headers['content-length'], body: r.body });
  return { observed: { get: pick(get), post: pick(post) } };
}
