// Nothing listens on the port the program gets; the last connect() is
// uncaught, so the program ends with a traceback and exit status 1.
import assert from 'node:assert/strict';

export const ports = ['closed'];
export const argv = (ports) => [String(ports.closed)];

export async function peer({ run }) {
  const { exitCode, stderr } = await run.done;
  assert.equal(exitCode, 1);
  assert.match(stderr, /ConnectionRefusedError: \[Errno \d+\] Connection refused\n$/);
  return { observed: null };
}
