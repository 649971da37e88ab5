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
//   bytes from HEADER_BYTES: the JSON, then the bytes
//
// The worker never waits without a bound: it wakes every WAIT_SLICE_MS to
// look at the interrupt buffer (Pyodide's, written by Stop), so a program
// blocked in accept() or recv() can be interrupted. An interrupted call is
// abandoned with a 'cancel' message; the host then drops it, and a reply
// that was already on its way carries an old seq, which the worker ignores.

export const HEADER_BYTES = 16;
// Bytes one reply can carry: recv() asks for at most this much at a time.
export const REPLY_CAPACITY = 1 << 20;
export const WAIT_SLICE_MS = 25;

const STATE = 0;
const JSON_LENGTH = 1;
const BYTES_LENGTH = 2;

export function createCallBuffer() {
  return new SharedArrayBuffer(HEADER_BYTES + REPLY_CAPACITY);
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
  const body = new Uint8Array(buffer, HEADER_BYTES);
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

// Wakes a worker that is waiting for a reply, without giving it one (it
// then finds the interrupt buffer set).
export function wakeWorker(buffer) {
  Atomics.notify(new Int32Array(buffer, 0, 4), STATE);
}

// The worker's end: one blocking call at a time.
export class CallChannel {
  #header;
  #body;
  #post;
  #interrupt;
  #seq = 0;

  // post(message) sends to the host; interrupt is the Int32Array that Stop
  // writes SIGINT into.
  constructor(buffer, interrupt, post) {
    this.#header = new Int32Array(buffer, 0, 4);
    this.#body = new Uint8Array(buffer, HEADER_BYTES);
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
