// Differential tests of Python socket programs: the harness.
//
// A case is a Python program, tests/python/corpus/NAME.py, written the way a
// learner writes a socket tutorial program, and a peer module,
// tests/python/corpus/NAME.peer.mjs, that plays the other end natively in the
// test process (Node's net, dgram and http, on 127.0.0.1 only). runCase()
// runs one case with one runner (cpython_runner.mjs: Debian's CPython as a
// process; pyodide_runner.mjs: CPython in Pyodide through the gateway) and
// collects the program's stdout, stderr and exit code and what the peer
// observed. normalise() + compareRuns() then say whether two runs behaved the
// same: the claim under test is "this program does in the playground what it
// does under native CPython".
//
// ---------------------------------------------------------------- runners
//
// A runner module exports
//   name                                  'cpython', 'pyodide', 'chromium'
//   family                                optional: 'playground' for the
//                                         playground's Python wherever it
//                                         runs (keys `differences` below)
//   startPython({ code, argv, env, name }) -> Run   (see cpython_runner.mjs)
//   setup({ gateway }) / teardown()       optional, once per test file;
//                                         gateway = { wsUrl, httpUrl } of a
//                                         running sockgate gateway
//   ready()                               optional, awaited before each
//                                         run: resolves once the runner can
//                                         start a program at once (a loaded
//                                         interpreter), so the peer's time
//                                         limits do not count loading
// What the comparison relies on, whichever runner:
//   - stdout/stderr are the program's own output, UTF-8, as it is written:
//     an input() prompt (no newline) shows up before the program blocks on
//     stdin; typed input is not echoed into stdout.
//   - write(text) may hold several lines, or part of one; closeStdin() makes
//     input() raise EOFError and `for line in sys.stdin` end.
//   - exitCode as python3's process status: 0, sys.exit(n) -> n, uncaught
//     exception -> 1 with the traceback on stderr (script frames named by
//     the file name given, e.g. File "/any/dir/main.py"), uncaught
//     KeyboardInterrupt after interrupt() -> 130 with a traceback ending in
//     "KeyboardInterrupt".
//   - done resolves only when all output has arrived.
//
// ---------------------------------------------------------------- peer modules
//
//   export const ports = ['main', 'closed'];  // optional, default ['main']:
//       names of free loopback ports the harness picks for this run (TCP
//       and UDP both free on 127.0.0.1, from 20000-32767, below Linux's
//       ephemeral range, so a chosen port is never an ephemeral one). Each
//       run gets fresh ports.
//   export const argv = (ports) => [String(ports.main)];  // optional, this
//       is the default: the program's sys.argv[1:]
//   export const env = { ... };               // optional extra environment
//   export const timeoutMs = 20000;           // optional, whole-run limit
//   export const differences = { ... };       // optional, see below
//   export async function peer(ctx) { ...; return { observed } }
//
// peer(ctx) drives the native side and returns what it saw as `observed`
// (any JSON value: strings are normalised like the program's output, see
// below; record facts such as "port matches" as booleans, not raw port
// numbers). It asserts (node:assert) whatever must hold whichever runner ran
// the program, e.g. that a checksum the program printed matches the bytes
// the peer received. Every wait is on a condition with a timeout: use
// ctx.run.waitFor(...) for the program's output and the helpers below for
// sockets. The peer starts before the program: servers it opens for the
// program at its very start (tcpListen, httpListen, udpSocket, called
// before its first await) are bound before the program runs. ctx is
//   run      the Run (output, waitFor, write, closeStdin, interrupt, kill, done)
//   ports    { main: 20345, ... } the chosen ports
//   host     '127.0.0.1'
//   interrupt()  KeyboardInterrupt once the program is blocked (see
//            run.waitBlocked in cpython_runner.mjs): call it after waiting
//            for the line printed just before the blocking call, so the
//            interrupt cannot land in that print() (its text and its newline
//            are two writes) and the traceback names the blocking line
//   runner   the runner's name (for messages; a peer must not behave
//            differently per runner: use `differences` instead)
//   defer(fn)  cleanup run after the peer and the program have finished,
//            also when the peer failed (close servers, destroy sockets)
// After peer() returns the harness waits for the program to end (it must end
// by itself; a peer that needs it stopped calls ctx.interrupt()), then runs
// the deferred cleanups. A program that is still running at timeoutMs is
// killed and the run fails. A failed run whose output says "Address already
// in use" is run again with fresh ports (up to 3 times): a chosen port can be
// taken between choosing and binding.
//
// ---------------------------------------------------------------- expected differences
//
// Rare, and each needs a reason. A case whose output legitimately differs
// between runners (the playground has no threads, say) exports
//   export const differences = {
//     reason: 'the playground cannot start threads',
//     cpython: { stdout: 'worker ran\nthread finished\n', exitCode: 0 },
//     playground: { stdout: /^RuntimeError: threads are not available/, exitCode: 0 },
//   };
// Entries are keyed by a runner's name or its family. Each runner's
// normalised result must equal its entry for the fields listed
// there (stdout, stderr: the whole normalised text, or a RegExp it must
// match; exitCode; observed); a runner without an entry fails. Fields not
// listed are still compared across runners. Two runs with the same runner
// are always compared on every field.
//
// ---------------------------------------------------------------- normalisation
//
// Deliberately small; everything else must match line for line:
//   1. a port the harness chose      -> <port:NAME> (whole number anywhere)
//   2. any other port number in an address: ('127.0.0.1', 45678),
//      127.0.0.1:45678, localhost:45678, [::1]:45678 -> <port>   (0 stays 0)
//   3. [Errno 111]                   -> [Errno]   (numbers differ per libc;
//      programs print errno.errorcode[e.errno] to show which error)
//   4. File "/tmp/sockgate-py-xyz/main.py" -> File "main.py"  (tracebacks)
//   5. stderr lines made only of ~ and ^ (traceback position markers) are
//      dropped: CPython 3.11 (Debian 12's) and 3.13+ (Pyodide's 3.14) print
//      them in different cases.
// Programs avoid output that differs for other reasons: no timestamps, no
// tracebacks through standard library frames (paths and line numbers differ
// between CPython versions), no selector class names, and so on.
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const HOST = '127.0.0.1';
export const CORPUS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
export const DEFAULT_TIMEOUT_MS = 20000;
const SCRIPT = 'main.py';

// ---------------------------------------------------------------- cases

const PEER_EXPORTS = ['ports', 'argv', 'env', 'timeoutMs', 'differences', 'peer'];

// Every corpus case, sorted by name. SOCKGATE_PY_CASES=a,b limits the set.
export async function loadCases({ dir = CORPUS_DIR, only = process.env.SOCKGATE_PY_CASES } = {}) {
  const wanted = only ? new Set(only.split(',').map((s) => s.trim()).filter(Boolean)) : null;
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.py'))
    .map((f) => f.slice(0, -3))
    .filter((n) => !wanted || wanted.has(n))
    .sort();
  if (wanted) {
    const missing = [...wanted].filter((n) => !names.includes(n));
    if (missing.length) throw new Error(`no such corpus case: ${missing.join(', ')}`);
  }
  const cases = [];
  for (const caseName of names) {
    const peerFile = path.join(dir, `${caseName}.peer.mjs`);
    if (!fs.existsSync(peerFile)) throw new Error(`corpus case ${caseName} has no ${caseName}.peer.mjs`);
    const peer = await import(pathToFileURL(peerFile).href);
    if (typeof peer.peer !== 'function') throw new Error(`${peerFile} exports no peer()`);
    const unknown = Object.keys(peer).filter((k) => !PEER_EXPORTS.includes(k));
    if (unknown.length) throw new Error(`${peerFile} exports ${unknown.join(', ')}: not one of ${PEER_EXPORTS.join(', ')}`);
    cases.push({ name: caseName, code: fs.readFileSync(path.join(dir, `${caseName}.py`), 'utf8'), peer });
  }
  return cases;
}

// ---------------------------------------------------------------- ports

const PORT_MIN = 20000;
const PORT_MAX = 32767;

function canBind(port, kind) {
  return new Promise((resolve) => {
    if (kind === 'tcp') {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen({ port, host: HOST, exclusive: true }, () => server.close(() => resolve(true)));
    } else {
      const socket = dgram.createSocket('udp4');
      socket.once('error', () => {
        socket.close();
        resolve(false);
      });
      socket.bind({ port, address: HOST, exclusive: true }, () => socket.close(() => resolve(true)));
    }
  });
}

// Ports handed out by this process: not handed out again, so that no run
// meets a connection of an earlier one still in TIME_WAIT on its port (Node's
// test bind below sets SO_REUSEADDR and would not notice; a program that
// does not set it would fail to bind).
const usedPorts = new Set();

// Ports free for both TCP and UDP on 127.0.0.1 right now, one per name, all
// different. A program can still lose a race for one; runCase retries then.
export async function allocatePorts(portNames) {
  const ports = {};
  for (const portName of portNames) {
    for (let tries = 0; ; tries++) {
      if (tries > 500) throw new Error('no free port found');
      const port = PORT_MIN + Math.floor(Math.random() * (PORT_MAX - PORT_MIN + 1));
      if (usedPorts.has(port)) continue;
      if ((await canBind(port, 'tcp')) && (await canBind(port, 'udp'))) {
        ports[portName] = port;
        usedPorts.add(port);
        break;
      }
    }
  }
  return ports;
}

// ---------------------------------------------------------------- running a case

const ADDRESS_IN_USE = /EADDRINUSE|Address already in use|Address in use/;

// Runs `testCase` (from loadCases) once with `runner`. Resolves with
//   { case, runner, ports, argv, stdout, stderr, exitCode, observed,
//     peerError, timedOut, attempts }
// and does not throw for a misbehaving program: assertRunOk() judges.
// Listeners the running peer is opening (see runCase), or null.
let openedByPeer = null;

// Tells runCase about a listener the peer is opening, so the program starts
// only once it is bound.
function openedForProgram(listening) {
  openedByPeer?.push(listening);
  return listening;
}

// A run that has not started yet: its methods wait for the real one.
class PendingRun {
  #run = null;
  #started;
  #begin;

  constructor() {
    this.#started = new Promise((resolve) => (this.#begin = resolve));
    this.done = this.#started.then((run) => run.done);
  }

  begin(run) {
    this.#run = run;
    this.#begin(run);
  }

  get output() {
    return this.#run ? this.#run.output : { stdout: '', stderr: '' };
  }

  waitFor(...args) {
    return this.#started.then((run) => run.waitFor(...args));
  }

  write(text) {
    return this.#started.then((run) => run.write(text));
  }

  closeStdin() {
    return this.#started.then((run) => run.closeStdin());
  }

  interrupt() {
    return this.#started.then((run) => run.interrupt());
  }

  kill() {
    return this.#started.then((run) => run.kill());
  }

  waitBlocked(options) {
    return this.#started.then((run) => run.waitBlocked?.(options));
  }
}

export async function runCase(testCase, runner, { attempts = 3 } = {}) {
  const mod = testCase.peer;
  const timeoutMs = mod.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let result;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const ports = await allocatePorts(mod.ports ?? ['main']);
    const argv = (mod.argv ?? ((p) => [String(p.main)]))(ports).map(String);
    // An interpreter that loads in the background is ready before the peer's
    // clock starts, as a playground user's is before they press Run.
    await runner.ready?.();
    // The peer starts first, so that the servers it opens for the program
    // (tcpListen, httpListen, udpSocket below) are bound before the program
    // runs; the program starts once they are. Until then ctx.run stands in
    // for the run.
    const pending = new PendingRun();
    const run = pending;
    const deferred = [];
    const ctx = {
      run,
      ports,
      host: HOST,
      runner: runner.name,
      defer: (fn) => deferred.push(fn),
      async interrupt() {
        await run.waitBlocked({ timeoutMs: 5000 });
        run.interrupt();
      },
    };
    const started = Date.now();
    let observed = null;
    let peerError = null;
    let timedOut = false;
    // The program's output so far, for error messages.
    const outputSoFar = () => `--- stdout ---\n${run.output.stdout}\n--- stderr ---\n${run.output.stderr}`;
    const opened = [];
    openedByPeer = opened;
    const peerDone = Promise.resolve().then(() => mod.peer(ctx));
    // The peer's synchronous start has run once this microtask is reached.
    await Promise.resolve();
    openedByPeer = null;
    await Promise.allSettled(opened);
    pending.begin(runner.startPython({ code: testCase.code, argv, env: mod.env ?? {}, name: SCRIPT }));
    try {
      const value = await withTimeout(peerDone, timeoutMs, 'peer');
      observed = value?.observed ?? null;
    } catch (error) {
      peerError = error;
    }
    let done;
    try {
      // After a peer failure the program gets a moment to show its error.
      const left = peerError ? 1000 : Math.max(1000, timeoutMs - (Date.now() - started));
      done = await withTimeout(run.done, left, 'program end');
    } catch {
      timedOut = !peerError;
      run.kill();
      done = await withTimeout(run.done, 5000, 'killed program end').catch(() => ({
        stdout: run.output.stdout,
        stderr: run.output.stderr,
        exitCode: null,
      }));
    }
    for (const fn of deferred.reverse()) {
      try {
        await withTimeout(Promise.resolve().then(fn), 5000, 'peer cleanup');
      } catch (error) {
        peerError ??= error;
      }
    }
    result = {
      case: testCase.name,
      runner: runner.name,
      family: runner.family ?? runner.name,
      ports,
      argv,
      stdout: done.stdout,
      stderr: done.stderr,
      exitCode: done.exitCode,
      observed,
      peerError,
      timedOut,
      attempts: attempt,
      ms: Date.now() - started,
      outputSoFar,
    };
    const failed = peerError || timedOut || done.exitCode !== 0;
    if (!(failed && ADDRESS_IN_USE.test(done.stdout + done.stderr))) break;
  }
  return result;
}

// Throws unless the run finished in time and the peer was satisfied.
export function assertRunOk(result) {
  const where = `${result.case} under ${result.runner} (argv ${result.argv.join(' ')})`;
  const output = `--- stdout ---\n${result.stdout}--- stderr ---\n${result.stderr}--- exit code ${result.exitCode}`;
  if (result.peerError) {
    const error = new Error(`${where}: peer failed: ${result.peerError.message}\n${output}`);
    error.cause = result.peerError;
    throw error;
  }
  if (result.timedOut) throw new Error(`${where}: program still running after the case's time limit; killed\n${output}`);
}

// ---------------------------------------------------------------- normalisation

const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const IPV4 = String.raw`\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}`;
// ('127.0.0.1', 45678) and ('::1', 45678, 0, 0): host in quotes, then port.
const TUPLE_PORT = new RegExp(String.raw`((['"])(?:${IPV4}|localhost|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*)\2,\s*)(\d+)\b`, 'g');
// 127.0.0.1:45678, localhost:45678, [::1]:45678
const HOST_PORT = new RegExp(String.raw`((?<![\w.])(?:${IPV4}|localhost|\[[0-9a-fA-F:.]+\]):)(\d+)\b`, 'g');

export function normaliseText(text, { ports = {}, script = SCRIPT, stream = 'stdout' } = {}) {
  let out = text;
  for (const [portName, port] of Object.entries(ports)) {
    out = out.replace(new RegExp(String.raw`\b${port}\b`, 'g'), `<port:${portName}>`);
  }
  out = out.replace(TUPLE_PORT, (m, prefix, _quote, port) => (port === '0' ? m : `${prefix}<port>`));
  out = out.replace(HOST_PORT, (m, prefix, port) => (port === '0' ? m : `${prefix}<port>`));
  out = out.replace(/\[Errno -?\d+\]/g, '[Errno]');
  out = out.replace(new RegExp(String.raw`File "[^"\n]*[/\\]${escapeRe(script)}"`, 'g'), `File "${script}"`);
  if (stream === 'stderr') {
    out = out
      .split('\n')
      .filter((line) => !/^\s*[~^]+[~^ ]*$/.test(line))
      .join('\n');
  }
  return out;
}

function normaliseValue(value, options) {
  if (typeof value === 'string') return normaliseText(value, options);
  if (Array.isArray(value)) return value.map((v) => normaliseValue(v, options));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normaliseValue(v, options)]));
  }
  return value;
}

// The parts of a run that are compared, normalised.
export function normalise(result) {
  const options = { ports: result.ports, script: SCRIPT };
  return {
    stdout: normaliseText(result.stdout, { ...options, stream: 'stdout' }),
    stderr: normaliseText(result.stderr, { ...options, stream: 'stderr' }),
    exitCode: result.exitCode,
    observed: normaliseValue(result.observed, options),
  };
}

// ---------------------------------------------------------------- comparison

const FIELDS = ['stdout', 'stderr', 'exitCode', 'observed'];

function lineDiff(a, b) {
  const la = a.split('\n');
  const lb = b.split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) {
      return `first difference at line ${i + 1}:\n  A: ${JSON.stringify(la[i] ?? '<no line>')}\n  B: ${JSON.stringify(lb[i] ?? '<no line>')}`;
    }
  }
  return 'texts differ';
}

// Differences between two runs after normalisation, as readable strings
// (empty: they match). `skip` lists fields not to compare.
export function compareRuns(a, b, { skip = [] } = {}) {
  const na = normalise(a);
  const nb = normalise(b);
  const problems = [];
  for (const field of FIELDS) {
    if (skip.includes(field)) continue;
    const va = na[field];
    const vb = nb[field];
    if (field === 'stdout' || field === 'stderr') {
      if (va !== vb) {
        problems.push(`${field} differs, ${lineDiff(va, vb)}\n--- A (${a.runner}) ---\n${va}\n--- B (${b.runner}) ---\n${vb}`);
      }
    } else {
      try {
        assert.deepStrictEqual(vb, va);
      } catch {
        problems.push(`${field} differs:\n  A (${a.runner}): ${JSON.stringify(va)}\n  B (${b.runner}): ${JSON.stringify(vb)}`);
      }
    }
  }
  return problems;
}

export function assertSameBehaviour(a, b, options) {
  const problems = compareRuns(a, b, options);
  if (problems.length) {
    throw new Error(`${a.case}: ${a.runner} and ${b.runner} runs differ after normalisation:\n\n${problems.join('\n\n')}`);
  }
}

// The fields a case's `differences` export takes out of the cross-runner
// comparison.
export function differingFields(testCase) {
  const d = testCase.peer.differences;
  if (!d) return [];
  const fields = new Set();
  for (const [key, entry] of Object.entries(d)) {
    if (key === 'reason') continue;
    for (const field of Object.keys(entry)) fields.add(field);
  }
  return [...fields];
}

// For a case with `differences`: the run must equal its runner's entry.
export function assertExpectedDifference(testCase, result) {
  const d = testCase.peer.differences;
  if (!d) return;
  assert.ok(d.reason, `${testCase.name}: differences needs a reason`);
  const entry = d[result.runner] ?? d[result.family];
  if (!entry) throw new Error(`${testCase.name}: differences has no entry for runner ${result.runner} (${result.family})`);
  const n = normalise(result);
  for (const [field, want] of Object.entries(entry)) {
    const message = `${testCase.name} under ${result.runner}: ${field} is not the expected one (${d.reason})`;
    if (want instanceof RegExp) assert.match(n[field], want, message);
    else assert.deepStrictEqual(n[field], want, message);
  }
}

// ---------------------------------------------------------------- helpers for peers

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// Buffers what a net.Socket receives and lets a peer wait for it.
export class Reader {
  constructor(socket) {
    this.socket = socket;
    this.chunks = [];
    this.length = 0;
    this.ended = false;
    this.error = null;
    this.waiters = new Set();
    socket.on('data', (chunk) => {
      this.chunks.push(chunk);
      this.length += chunk.length;
      this.notify();
    });
    socket.on('end', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('close', () => {
      this.ended = true;
      this.notify();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.notify();
    });
  }

  notify() {
    for (const check of [...this.waiters]) check();
  }

  buffer() {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  take(n) {
    const buf = this.buffer();
    this.chunks = n < buf.length ? [buf.subarray(n)] : [];
    this.length = buf.length - n;
    return buf.subarray(0, n);
  }

  // Resolves with take(...)'s result once `ready()` says how many bytes to
  // take (a number), or rejects on end/error/timeout.
  wait(ready, what, timeoutMs) {
    return new Promise((resolve, reject) => {
      const finish = (fn, v) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        fn(v);
      };
      const check = () => {
        const n = ready();
        if (n !== null) return finish(resolve, this.take(n));
        if (this.error) return finish(reject, new Error(`${what}: socket error ${this.error.code ?? this.error.message}`));
        if (this.ended) {
          return finish(reject, new Error(`${what}: connection ended first (had ${JSON.stringify(this.buffer().toString())})`));
        }
      };
      const timer = setTimeout(
        () => finish(reject, new Error(`${what}: timed out after ${timeoutMs} ms (had ${JSON.stringify(this.buffer().toString().slice(0, 200))})`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  // Bytes up to and including `delimiter` (default newline), as a Buffer.
  until(delimiter = '\n', timeoutMs = 10000) {
    const d = Buffer.from(delimiter);
    return this.wait(
      () => {
        const i = this.buffer().indexOf(d);
        return i >= 0 ? i + d.length : null;
      },
      `waiting for ${JSON.stringify(delimiter)}`,
      timeoutMs,
    );
  }

  // The next line as a string, without its newline.
  async line(timeoutMs = 10000) {
    return (await this.until('\n', timeoutMs)).toString('utf8').replace(/\n$/, '');
  }

  bytes(n, timeoutMs = 10000) {
    return this.wait(() => (this.length >= n ? n : null), `waiting for ${n} bytes`, timeoutMs);
  }

  // Everything until the other side ends the stream (FIN), as a Buffer.
  toEnd(timeoutMs = 10000) {
    return this.wait(() => (this.ended && !this.error ? this.length : null), 'waiting for end of stream', timeoutMs);
  }

  // Resolves with 'end' | 'error:CODE' once the stream has ended.
  closed(timeoutMs = 10000) {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.error || this.ended) {
          this.waiters.delete(check);
          clearTimeout(timer);
          resolve(this.error ? `error:${this.error.code}` : 'end');
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`connection not closed within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
}

// A TCP connection to the program; resolves once connected.
export function tcpConnect(port, { host = HOST, timeoutMs = 5000 } = {}) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const socket = net.connect(port, host, () => {
        socket.off('error', reject);
        resolve(socket);
      });
      socket.once('error', reject);
    }),
    timeoutMs,
    `connect to ${host}:${port}`,
  );
}

// A TCP server for the program to connect to, on the given (chosen) port.
// `next()` hands out accepted sockets in order. With allowHalfOpen the
// accepted sockets stay writable after the program's FIN (shutdown(SHUT_WR)).
export async function tcpListen(port, { host = HOST, allowHalfOpen = false } = {}) {
  const server = net.createServer({ allowHalfOpen });
  const accepted = [];
  const waiters = [];
  server.on('connection', (socket) => {
    const w = waiters.shift();
    if (w) w(socket);
    else accepted.push(socket);
  });
  await openedForProgram(new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, resolve);
  }));
  const sockets = [];
  return {
    server,
    port: server.address().port,
    next(timeoutMs = 10000) {
      const p = accepted.length ? Promise.resolve(accepted.shift()) : new Promise((resolve) => waiters.push(resolve));
      return withTimeout(p, timeoutMs, `waiting for a connection on ${host}:${port}`).then((s) => {
        sockets.push(s);
        return s;
      });
    },
    close() {
      for (const s of [...sockets, ...accepted]) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// A UDP socket on 127.0.0.1 (port 0: any free one). `next()` resolves with
// the next datagram { msg, rinfo }.
export async function udpSocket(port = 0) {
  const socket = dgram.createSocket('udp4');
  const queue = [];
  const waiters = [];
  socket.on('message', (msg, rinfo) => {
    const w = waiters.shift();
    if (w) w({ msg, rinfo });
    else queue.push({ msg, rinfo });
  });
  await openedForProgram(new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind({ port, address: HOST, exclusive: true }, resolve);
  }));
  return {
    socket,
    port: socket.address().port,
    next(timeoutMs = 10000) {
      const p = queue.length ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiters.push(resolve));
      return withTimeout(p, timeoutMs, 'waiting for a datagram');
    },
    send(data, toPort, toHost = HOST) {
      return new Promise((resolve, reject) => socket.send(data, toPort, toHost, (e) => (e ? reject(e) : resolve())));
    },
    close() {
      return new Promise((resolve) => socket.close(() => resolve()));
    },
  };
}

// An HTTP server on the given port; handler(req, body, res). `requests`
// records each request's method, url, headers and body (utf8).
export async function httpListen(port, handler, { host = HOST } = {}) {
  const requests = [];
  const waiters = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') });
      for (const w of [...waiters]) w();
      handler(req, body, res);
    });
  });
  await openedForProgram(new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, exclusive: true }, resolve);
  }));
  return {
    server,
    requests,
    // Resolves once `n` requests have been received.
    received(n, timeoutMs = 10000) {
      return withTimeout(
        new Promise((resolve) => {
          const check = () => {
            if (requests.length >= n) {
              waiters.delete(check);
              resolve(requests);
            }
          };
          waiters.add(check);
          check();
        }),
        timeoutMs,
        `waiting for ${n} HTTP requests`,
      );
    },
    close() {
      server.closeAllConnections?.();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

// One HTTP request to the program; resolves with { status, headers, body }.
export function httpRequest({ port, method = 'GET', path: urlPath = '/', headers = {}, body, host = HOST, timeoutMs = 10000 }) {
  return withTimeout(
    new Promise((resolve, reject) => {
      const req = http.request({ host, port, method, path: urlPath, headers, agent: false }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body);
    }),
    timeoutMs,
    `HTTP ${method} ${urlPath}`,
  );
}
