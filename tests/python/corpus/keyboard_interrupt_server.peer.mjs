// Two visits, then KeyboardInterrupt while the server waits in accept().
import assert from 'node:assert/strict';
import { Reader, tcpConnect } from '../harness.mjs';

export async function peer({ run, ports, interrupt }) {
  await run.waitFor(`listening on 127.0.0.1:${ports.main}`);
  const observed = [];
  for (let i = 1; i <= 2; i++) {
    const socket = await tcpConnect(ports.main);
    observed.push((await new Reader(socket).toEnd()).toString());
  }
  await run.waitFor(/(waiting for a client\n[^]*){3}/);
  await interrupt();
  const { exitCode } = await run.done;
  assert.equal(exitCode, 0);
  return { observed };
}
