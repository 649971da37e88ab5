// The blocking call channel between the Python worker and its host.
//
// CPython's socket calls are synchronous, but the wasm client that answers
// them (web/src/sockgate.js) lives on another thread and is asynchronous. So
// the worker posts each call as a message and then sleeps in Atomics.wait on
// a SharedArrayBuffer until the host has written the reply there:
//
//   worker                                  host (page, or Node in tests)
//   post {type:'call', seq, op, args}  ──►  runs the op through its session
//   Atomics.wait(state ≠ seq)               writes reply JSON + bytes, then
//                                     ◄──   Atomics.store(state, seq) + notify
//
// Layout of the call buffer:
//   Int32 [0] state: the seq of the reply that is ready (0: none yet)
//   Int32 [1] length of the reply's JSON (UTF-8)
//   Int32 [2] length of the reply's bytes
//   Int32 [3] bytes sent without waiting that the host has not yet passed
//             to its session (see below)
//   FLAGS_BYTES bytes from FLAGS_OFFSET: one per socket handle (h mod
//             FLAGS_BYTES), set by the host when that socket can no longer
//             take data as it did (reset, shut down, closed by the gateway)
//   bytes from BODY_OFFSET: the reply's JSON, then its bytes
//
// send() on a healthy connected TCP socket does not wait for a reply: the
// worker posts {type:'send', h, bytes} and counts the bytes in [3]; the host
// takes them off once they are in its session. The worker waits ('flush')
// only when too much is in flight, and makes an ordinary call when the
// socket's flag says something went wrong, so that the error is raised by
// send() as CPython's would be. This halves the hand-offs of a
// request/reply exchange (docs/PERFORMANCE.md, the Python path).
//
// The worker never waits without a bound: it wakes every WAIT_SLICE_MS to
// look at the interrupt buffer (Pyodide's, written by Stop), so a program
// blocked in accept() or recv() can be interrupted. An interrupted call is
// abandoned with a 'cancel' message; the host then drops it, and a reply
// that was already on its way carries an old seq, which the worker ignores.

const HEADER_BYTES = 16;
const FLAGS_OFFSET = HEADER_BYTES;
export const FLAGS_BYTES = 1 << 16;
const BODY_OFFSET = FLAGS_OFFSET + FLAGS_BYTES;
// Bytes one reply can carry: recv() asks for at most this much at a time.
export const REPLY_CAPACITY = 1 << 20;
export const WAIT_SLICE_MS = 25;

const STATE = 0;
const JSON_LENGTH = 1;
const BYTES_LENGTH = 2;
const IN_FLIGHT = 3;

export function createCallBuffer() {
  return new SharedArrayBuffer(BODY_OFFSET + REPLY_CAPACITY);
}

// Pyodide's interrupt buffer: writing 2 raises KeyboardInterrupt in Python.
export function createInterruptBuffer() {
  return new Int32Array(new SharedArrayBuffer(4));
}

export const SIGINT = 2;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// The host's end: writes one reply and wakes the worker.
export function writeReply(buffer, seq, reply, bytes = null) {
  const header = new Int32Array(buffer, 0, 4);
  const body = new Uint8Array(buffer, BODY_OFFSET);
  const json = encoder.encode(JSON.stringify(reply));
  const size = bytes ? bytes.length : 0;
  if (json.length + size > body.length) {
    throw new RangeError(`reply of ${json.length + size} bytes exceeds the call buffer`);
  }
  body.set(json, 0);
  if (size) body.set(bytes, json.length);
  header[JSON_LENGTH] = json.length;
  header[BYTES_LENGTH] = size;
  Atomics.store(header, STATE, seq);
  Atomics.notify(header, STATE);
}

// The host's view of what the worker sends without waiting.
export class SendLedger {
  #header;
  #flags;

  constructor(buffer) {
    this.#header = new Int32Array(buffer, 0, 4);
    this.#flags = new Uint8Array(buffer, FLAGS_OFFSET, FLAGS_BYTES);
  }

  // Bytes posted by the worker and not yet taken into the session.
  get inFlight() {
    return Atomics.load(this.#header, IN_FLIGHT);
  }

  taken(n) {
    Atomics.sub(this.#header, IN_FLIGHT, n);
  }

  // From now on send() on handle h waits for the host's answer.
  troubled(h) {
    Atomics.store(this.#flags, h % FLAGS_BYTES, 1);
  }

  // A new socket took handle h.
  clear(h) {
    Atomics.store(this.#flags, h % FLAGS_BYTES, 0);
  }
}

// Wakes a worker that is waiting for a reply, without giving it one (it
// then finds the interrupt buffer set).
export function wakeWorker(buffer) {
  Atomics.notify(new Int32Array(buffer, 0, 4), STATE);
}

// The worker's end: one blocking call at a time.
export class CallChannel {
  #header;
  #body;
  #flags;
  #post;
  #interrupt;
  #seq = 0;

  // post(message) sends to the host; interrupt is the Int32Array that Stop
  // writes SIGINT into.
  constructor(buffer, interrupt, post) {
    this.#header = new Int32Array(buffer, 0, 4);
    this.#body = new Uint8Array(buffer, BODY_OFFSET);
    this.#flags = new Uint8Array(buffer, FLAGS_OFFSET, FLAGS_BYTES);
    this.#interrupt = interrupt;
    this.#post = post;
  }

  get interrupted() {
    return Atomics.load(this.#interrupt, 0) === SIGINT;
  }

  // Consumes a pending interrupt (for waits that raise KeyboardInterrupt
  // themselves instead of leaving it to CPython's signal check).
  takeInterrupt() {
    return Atomics.compareExchange(this.#interrupt, 0, SIGINT, 0) === SIGINT;
  }

  // Whether send() on handle h may go without waiting.
  healthy(h) {
    return Atomics.load(this.#flags, h % FLAGS_BYTES) === 0;
  }

  get inFlight() {
    return Atomics.load(this.#header, IN_FLIGHT);
  }

  // Posts bytes for handle h without waiting for an answer.
  sendWithoutWaiting(h, bytes) {
    Atomics.add(this.#header, IN_FLIGHT, bytes.length);
    this.#post({ type: 'send', h, bytes }, [bytes.buffer]);
  }

  // Posts the call and blocks until its reply: {reply, bytes}. Returns
  // null when interrupted first (the call is then cancelled).
  call(op, args = {}, transfer = undefined) {
    const seq = ++this.#seq;
    this.#post({ type: 'call', seq, op, args }, transfer);
    for (;;) {
      const state = Atomics.load(this.#header, STATE);
      if (state === seq) return this.#read();
      if (this.interrupted) {
        this.#post({ type: 'cancel', seq });
        return null;
      }
      Atomics.wait(this.#header, STATE, state, WAIT_SLICE_MS);
    }
  }

  #read() {
    const jsonLength = this.#header[JSON_LENGTH];
    const bytesLength = this.#header[BYTES_LENGTH];
    const reply = JSON.parse(decoder.decode(this.#body.slice(0, jsonLength)));
    const bytes = bytesLength ? this.#body.slice(jsonLength, jsonLength + bytesLength) : null;
    return { reply, bytes };
  }
}
