// Waiting to try the gateway again. A gateway that restarts is back within
// seconds; one that is down for longer should not be asked every second by
// every open page, so each failed try doubles the wait, up to a ceiling. The
// wait left is announced each second so the page can show a countdown.

export const RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15000];

export class Reconnector extends EventTarget {
  // try_: one attempt, resolving 'connected', 'retry' (wait, then try again)
  // or 'stop' (retrying cannot help: the learner must act). Events: 'wait'
  // {secondsLeft, attempt} at the start of a wait and each second of it.
  constructor(try_, { delays = RETRY_DELAYS_MS, tickMs = 1000 } = {}) {
    super();
    this.try = try_;
    this.delays = delays;
    this.tickMs = tickMs;
    this.failures = 0;
    this.deadline = 0;
    this.timer = null;
  }

  get waiting() {
    return this.timer !== null;
  }

  /** The wait before the next try, after `failures` failed ones in a row. */
  delayAfter(failures) {
    return this.delays[Math.min(failures, this.delays.length - 1)];
  }

  /** Starts waiting for the next try (unless a wait is already running). */
  schedule() {
    if (this.timer !== null) return;
    this.deadline = Date.now() + this.delayAfter(this.failures);
    this.tick();
  }

  tick() {
    const left = this.deadline - Date.now();
    if (left <= 0) {
      this.timer = null;
      this.attempt();
      return;
    }
    this.dispatchEvent(new CustomEvent('wait', { detail: { secondsLeft: Math.ceil(left / 1000), attempt: this.failures + 1 } }));
    // Wakes when the whole seconds left change.
    this.timer = setTimeout(() => this.tick(), left - Math.floor((left - 1) / this.tickMs) * this.tickMs);
  }

  /** Tries now, ending any wait. */
  retryNow() {
    this.cancel();
    this.attempt();
  }

  /** Ends the wait without trying (the learner disconnected, or connected by hand). */
  cancel() {
    clearTimeout(this.timer);
    this.timer = null;
  }

  /** Forgets past failures: the next outage starts with the shortest wait. */
  reset() {
    this.cancel();
    this.failures = 0;
  }

  async attempt() {
    let outcome;
    try {
      outcome = await this.try();
    } catch {
      outcome = 'retry';
    }
    if (outcome === 'connected') {
      this.failures = 0;
    } else if (outcome === 'retry') {
      this.failures += 1;
      this.schedule();
    }
  }
}
