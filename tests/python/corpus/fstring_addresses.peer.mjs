// Connects once; the server tells the client its own address, which must
// be the client's real local port.
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports }) {
  await run.waitFor(`Server listening on 127.0.0.1:${ports.main}`);
  const socket = await tcpConnect(ports.main);
  const line = (await new Reader(socket).until('\n')).toString();
  assert.equal(line, `you are 127.0.0.1:${socket.localPort}\n`);
  // The program printed the client's address as a tuple too.
  await run.waitFor(`Connected by ('127.0.0.1', ${socket.localPort})`);
  socket.destroy();
  return { observed: line };
}
