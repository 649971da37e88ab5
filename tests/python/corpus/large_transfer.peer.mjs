// Reads a length-prefixed 4 MiB upload, reports its SHA-256, then sends a
// 4 MiB download (its own pattern) followed by that data's SHA-256.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Reader, tcpListen } from '../harness.mjs';

const SIZE = 4 * 1024 * 1024;

export async function peer({ run, ports, defer }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const reader = new Reader(socket);
  const size = Number((await reader.bytes(8)).readBigUInt64BE());
  assert.equal(size, SIZE);
  const upload = await reader.bytes(size, 15000);
  const uploadSha = crypto.createHash('sha256').update(upload).digest('hex');
  // The program printed the checksum of what it meant to send.
  await run.waitFor(`uploading ${SIZE} bytes, sha256 ${uploadSha}`);
  socket.write(`received ${upload.length} bytes, sha256 ${uploadSha}\n`);

  const download = Buffer.alloc(SIZE);
  for (let i = 0; i < SIZE; i++) download[i] = (i * 31 + 7) % 256;
  const downloadSha = crypto.createHash('sha256').update(download).digest('hex');
  const header = Buffer.alloc(8);
  header.writeBigUInt64BE(BigInt(SIZE));
  socket.write(header);
  socket.write(download);
  socket.end(downloadSha);
  await run.waitFor(`downloaded ${SIZE} bytes, sha256 ${downloadSha}`, { timeoutMs: 15000 });
  return { observed: { uploadBytes: upload.length, uploadSha, downloadSha } };
}
