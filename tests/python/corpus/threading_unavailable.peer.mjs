// An expected difference (see harness.mjs): the program runs, but starting
// a thread fails in the playground.
export const argv = () => [];

export const differences = {
  reason: 'the playground runs Python in one Web Worker and cannot start threads',
  cpython: { stdout: 'worker thread ran\nthread finished\nmain program continues\n', exitCode: 0 },
  // The playground's message explains why and what to use instead; only
  // its start is pinned here.
  playground: { stdout: /^RuntimeError: threads are not available here\b.*\nmain program continues\n$/, exitCode: 0 },
};

export async function peer() {
  return { observed: null };
}
