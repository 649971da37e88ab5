// Accepts, sends nothing, interrupts the program. Exit status 130 (killed
// by SIGINT natively); its socket is closed when it ends.
import assert from 'node:assert/strict';
import { Reader, tcpListen } from '../harness.mjs';

export async function peer({ run, ports, defer, interrupt }) {
  const listener = await tcpListen(ports.main);
  defer(() => listener.close());
  const socket = await listener.next();
  const reader = new Reader(socket);
  await run.waitFor('waiting for data (press Ctrl-C to give up)\n');
  await interrupt();
  const { exitCode, stderr } = await run.done;
  assert.equal(exitCode, 130);
  assert.match(stderr, /\nKeyboardInterrupt\n$/);
  return { observed: await reader.closed() };
}
