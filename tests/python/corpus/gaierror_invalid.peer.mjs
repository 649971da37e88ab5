// No native side. The program ends with sys.exit(2).
import assert from 'node:assert/strict';

export const argv = () => [];

export async function peer({ run }) {
  const { exitCode } = await run.done;
  assert.equal(exitCode, 2);
  return { observed: null };
}
