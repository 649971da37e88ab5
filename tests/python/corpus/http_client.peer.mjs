// A Node HTTP server; all three requests must arrive on one connection.
import assert from 'node:assert/strict';
import { httpListen } from '../harness.mjs';

export async function peer({ run, defer, ports }) {
  const sockets = new Set();
  const server = await httpListen(ports.main, (req, body, res) => {
    sockets.add(req.socket);
    if (req.url === '/status') {
      const text = Buffer.from('all good ✓\n');
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Answer': '42', 'Content-Length': text.length });
      res.end(req.method === 'HEAD' ? undefined : text);
    } else {
      res.writeHead(201, 'Created', { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`stored ${body.length} bytes: ${body.toString('utf8')}`);
    }
  });
  defer(() => server.close());
  const requests = await server.received(3);
  await run.done;
  assert.equal(sockets.size, 1, 'one keep-alive connection');
  const observed = requests.map((r) => ({
    method: r.method,
    url: r.url,
    host: r.headers.host,
    encoding: r.headers['accept-encoding'] ?? null,
    body: r.body,
  }));
  return { observed };
}
