// A Node HTTP server with three routes.
import assert from 'node:assert/strict';
import { httpListen } from '../harness.mjs';

export async function peer({ run, defer, ports }) {
  const server = await httpListen(ports.main, (req, body, res) => {
    if (req.url === '/hello') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('Hello, urllib! 你好');
    } else if (req.url === '/echo' && req.method === 'POST') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ youSent: JSON.parse(body.toString('utf8')), bytes: body.length }));
    } else {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no such page');
    }
  });
  defer(() => server.close());
  const requests = await server.received(3);
  await run.done;
  const observed = requests.map((r) => {
    assert.match(r.headers['user-agent'], /^Python-urllib\/3\.\d+$/);
    return {
      method: r.method,
      url: r.url,
      host: r.headers.host,
      contentType: r.headers['content-type'] ?? null,
      body: r.body,
    };
  });
  return { observed };
}
