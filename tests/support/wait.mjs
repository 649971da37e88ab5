// Waiting on conditions, not on the clock.
//
// waitFor(predicate, what, timeoutMs): polls predicate (may be async) until it
// is truthy; rejects with "timed out after N ms waiting for <what>" otherwise.
//
// staysTrue(predicate, ms, what): polls predicate for the whole quiet period
// and rejects as soon as it turns false ("<what> stopped holding after N ms").
// Use it where a test checks that nothing more happens; name the quiet period
// for what it is.

const POLL_MS = 5;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function waitFor(predicate, what, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await pause(POLL_MS);
  }
}

export async function staysTrue(predicate, ms, what) {
  const started = Date.now();
  const end = started + ms;
  for (;;) {
    if (!(await predicate())) throw new Error(`${what} stopped holding after ${Date.now() - started} ms`);
    if (Date.now() >= end) return;
    await pause(POLL_MS);
  }
}
