// Reads each connection to its end: the first must bring every byte the
// program sent before close(), the second the line sent just before the
// program ended without closing it.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Reader, tcpListen } from '../harness.mjs';

const SIZE = 2 * 1024 * 1024;

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const first = await listener.next();
  const all = await new Reader(first).toEnd(15000);
  assert.equal(all.length, SIZE, 'bytes sent before close() were lost');
  const sha = crypto.createHash('sha256').update(all).digest('hex');
  await run.waitFor(`sending ${SIZE} bytes, sha256 ${sha}`);
  const second = await listener.next();
  const line = (await new Reader(second).toEnd(15000)).toString('utf8');
  return { observed: { firstBytes: all.length, sha, second: line } };
}
