// Running Python programs: one worker per run, one gateway session per run.
//
//   const python = new PythonRuntime({ createWorker, openSession, pyodideModuleUrl, indexURL });
//   python.warm();                         // load an interpreter before Run
//   const run = await python.start({ source, argv });
//   run.addEventListener('stdout', (e) => show(e.detail.text));
//   run.input('a line for input()');
//   run.stop();                            // KeyboardInterrupt, then the worker goes
//   const { status, reason } = await run.done;
//
// Every run gets a fresh interpreter: a spare worker loads Pyodide in the
// background, so Run does not wait for it, and the worker is thrown away when
// its program ends. Every run also gets its own session of the wasm client,
// so its sockets, flow control and wire view are those of a C++ program, and
// when the run ends, closing the session frees every port it held.
//
// createWorker() returns {post(message, transfer), onMessage(fn), onError(fn),
// terminate()}: a module Web Worker in the page, a worker_threads Worker in
// Node. openSession() returns a Promise of a SockgateSession.
//
// Run events (event.detail): stdout {text}, stderr {text}, inputwait
// {waiting}, exit {status, reason}. reason: 'exit' (the program ended by
// itself, status as python3 would exit with), 'stopped' (stop() and the
// program ended on KeyboardInterrupt), 'killed' (stop() and the worker had
// to be terminated), 'failed' (the interpreter or the gateway failed; see
// message).

import { createCallBuffer, createInterruptBuffer, SendLedger, SIGINT, wakeWorker, writeReply } from './channel.js';
import { PythonSocketHost } from './socket_host.js';

// Stop must free the program's ports within a second: a stopped program
// that has not ended after STOP_GRACE_MS loses its sockets then, and keeps
// its worker until STOP_KILL_MS, so that on a busy machine it can still end
// on KeyboardInterrupt and print it, as CPython does after Ctrl+C.
const STOP_GRACE_MS = 400;
const STOP_KILL_MS = 3000;
// How long a program that ended by itself may take to get the bytes it sent
// out to its peers before its session is closed (as a process's sockets
// are flushed when it exits).
const EXIT_FLUSH_MS = 2000;

class WarmWorker {
  constructor(runtime) {
    this.callBuffer = createCallBuffer();
    this.interrupt = createInterruptBuffer();
    this.worker = runtime.createWorker();
    this.listeners = new Set();
    this.ready = new Promise((resolve, reject) => {
      this.worker.onMessage((m) => {
        if (m.type === 'ready') resolve(m);
        else if (m.type === 'failed' && !this.running) reject(new Error(m.message));
        for (const fn of this.listeners) fn(m);
      });
      this.worker.onError((e) => {
        const error = e instanceof Error ? e : new Error(e?.message ?? String(e));
        reject(error);
        for (const fn of this.listeners) fn({ type: 'failed', message: error.message });
      });
    });
    this.ready.catch(() => {});
    this.worker.post({
      type: 'init',
      pyodideModuleUrl: runtime.pyodideModuleUrl,
      indexURL: runtime.indexURL,
      callBuffer: this.callBuffer,
      interrupt: this.interrupt,
    });
  }
}

export class PythonRuntime {
  #spare = null;

  constructor({ createWorker, openSession, pyodideModuleUrl, indexURL }) {
    this.createWorker = createWorker;
    this.openSession = openSession;
    this.pyodideModuleUrl = String(pyodideModuleUrl);
    this.indexURL = String(indexURL);
  }

  // Starts loading an interpreter for the next run; resolves when it is ready.
  warm() {
    this.#spare ??= new WarmWorker(this);
    return this.#spare.ready;
  }

  // Drops the spare interpreter (the page is going away, or tests end).
  dispose() {
    this.#spare?.worker.terminate();
    this.#spare = null;
  }

  // Starts a program; resolves with the PythonRun once it is running.
  async start({ source, filename = 'main.py', argv = [] }) {
    this.warm();
    const warm = this.#spare;
    this.#spare = null;
    let session;
    try {
      const [, opened] = await Promise.all([warm.ready, this.openSession()]);
      session = opened;
    } catch (e) {
      warm.worker.terminate();
      session?.closeSession().catch(() => {});
      throw e;
    }
    this.warm();
    return new PythonRun(warm, session, { source, filename, argv });
  }
}

export class PythonRun extends EventTarget {
  output = { stdout: '', stderr: '' };
  status = null;
  reason = null;
  done;

  #warm;
  #host;
  #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  #finish;
  #stopTimer = null;
  #stopping = false;

  constructor(warm, session, { source, filename, argv }) {
    super();
    this.#warm = warm;
    this.session = session;
    this.filename = filename;
    this.#host = new PythonSocketHost(session, new SendLedger(warm.callBuffer));
    this.done = new Promise((resolve) => (this.#finish = resolve));
    this.#host.addEventListener('inputwait', (e) => this.#emit('inputwait', e.detail));
    session.addEventListener('sessionclosed', () => {
      if (this.status === null && !this.#stopping) {
        this.#end(null, 'failed', 'the gateway closed the session');
      }
    });
    warm.running = true;
    warm.listeners.add((m) => this.#onMessage(m));
    warm.worker.post({ type: 'run', source, filename, argv });
  }

  get running() {
    return this.status === null && this.reason === null;
  }

  get waitingForInput() {
    return this.#host.waitingForInput;
  }

  // The call the program is blocked in ('accept', 'recv', 'poll', 'stdin',
  // 'sleep', ...), or null while it computes.
  get blockedIn() {
    return this.#host.blockedIn;
  }

  // A line for input() (without its newline).
  input(line) {
    this.#host.provideInput(line);
  }

  // End of input: input() raises EOFError.
  closeInput() {
    this.#host.closeInput();
  }

  // Raises KeyboardInterrupt in the program; if it has not ended shortly
  // after, closes its sockets, and later terminates its worker.
  stop() {
    if (!this.running || this.#stopping) return this.done;
    this.#stopping = true;
    Atomics.store(this.#warm.interrupt, 0, SIGINT);
    wakeWorker(this.#warm.callBuffer);
    this.#stopTimer = setTimeout(() => {
      this.#host.closeAll();
      this.#stopTimer = setTimeout(() => this.#end(null, 'killed'), STOP_KILL_MS - STOP_GRACE_MS);
    }, STOP_GRACE_MS);
    return this.done;
  }

  // Ends the program at once: its worker is terminated (reason 'killed').
  kill() {
    this.#end(null, 'killed');
    return this.done;
  }

  #onMessage(m) {
    switch (m.type) {
      case 'call':
        this.#host.call(m.seq, m.op, m.args, (seq, reply, bytes) => {
          if (this.running) writeReply(this.#warm.callBuffer, seq, reply, bytes);
        });
        break;
      case 'cancel':
        this.#host.cancel(m.seq);
        break;
      case 'send':
        if (this.running) this.#host.sendWithoutWaiting(m.h, m.bytes);
        break;
      case 'stdout':
      case 'stderr': {
        const text = this.#decoders[m.type].decode(m.bytes, { stream: true });
        if (!text) break;
        this.output[m.type] += text;
        this.#emit(m.type, { text });
        break;
      }
      case 'exit':
        this.#end(m.status, this.#stopping ? 'stopped' : 'exit');
        break;
      case 'failed':
        this.#end(null, 'failed', m.message);
        break;
      default:
        break;
    }
  }

  #end(status, reason, message = null) {
    if (!this.running) return;
    clearTimeout(this.#stopTimer);
    this.status = status;
    this.reason = reason;
    this.#warm.worker.terminate();
    const flushed = this.#host.closeAll({ graceful: reason === 'exit' });
    for (const name of ['stdout', 'stderr']) {
      const rest = this.#decoders[name].decode();
      if (rest) {
        this.output[name] += rest;
        this.#emit(name, { text: rest });
      }
    }
    const result = { status, reason, message, ...this.output };
    this.#emit('exit', result);
    const bounded = Promise.race([flushed, new Promise((resolve) => setTimeout(resolve, EXIT_FLUSH_MS))]);
    bounded
      .then(() => (this.session.closed ? undefined : this.session.closeSession()))
      .catch(() => {})
      .then(() => this.#finish(result));
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(name, { detail }));
  }
}
