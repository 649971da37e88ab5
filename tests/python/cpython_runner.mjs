// The native side of the Python differential tests: Debian's CPython
// (/usr/bin/python3, from the `python3` package) run as a child process.
//
// Implements the runner interface that tests/python/harness.mjs documents
// and that the playground's Pyodide runner (pyodide_runner.mjs) implements
// too:
//
//   export const name = 'cpython';
//   export function startPython({ code, argv = [], env = {}, name = 'main.py' }) -> Run
//   Run:
//     run.output     {stdout, stderr} received so far, UTF-8 decoded
//     run.waitFor(regexOrString, { stream = 'stdout', timeoutMs = 10000 })
//                    resolves (RegExpMatchArray, or the string) as soon as the
//                    text is in that stream; rejects on timeout or when the
//                    program ends without printing it
//     run.write(text)  to the program's stdin (input(), sys.stdin)
//     run.closeStdin() end of stdin: input() then raises EOFError
//     run.interrupt()  KeyboardInterrupt in the program (SIGINT here)
//     run.kill()       stop it at once
//     run.waitBlocked({ timeoutMs = 5000 })   optional in the interface:
//                    resolves once the program is blocked waiting for
//                    something outside it (a socket, select, sleep, stdin).
//                    Peers call it between seeing a line and interrupting,
//                    so that the KeyboardInterrupt lands in the blocking call
//                    and not in the print() before it (see harness.mjs).
//                    Here: the process is seen sleeping in /proc/PID/stat.
//     run.done       Promise<{stdout, stderr, exitCode}>, once the program has
//                    ended and its output is complete
//
// Exit codes are those of a CPython process: 0 on normal end, the argument of
// sys.exit(n), 1 after an uncaught exception (the traceback is on stderr), and
// 128+N for a death by signal N: an uncaught KeyboardInterrupt gives 130
// (CPython re-raises SIGINT on itself), run.kill() gives 137.
//
// The program is written as NAME (default main.py) in a fresh temporary
// directory, which is its working directory, and run as
//   /usr/bin/python3 -u NAME ARGV...
// with a small fixed environment (PATH, HOME, LANG=C.UTF-8,
// PYTHONIOENCODING=utf-8, PYTHONDONTWRITEBYTECODE=1) plus `env`, so nothing
// from the caller's environment (PYTHONPATH, PYTHONSTARTUP, a pyenv shim...)
// changes what the program does. PYTHON_BIN overrides the interpreter, for
// experiments only: the reference is Debian's python3.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';

export const name = 'cpython';

export const PYTHON = process.env.PYTHON_BIN || '/usr/bin/python3';

function checkPython() {
  if (!fs.existsSync(PYTHON)) {
    throw new Error(
      `${PYTHON} not found: the Python differential tests need Debian's CPython ` +
        `(apt-get install python3; scripts/setup.sh installs it). A python3 elsewhere on ` +
        `PATH is not used on purpose.`,
    );
  }
}

// Called once per test file by the harness; nothing to start natively.
export async function setup() {
  checkPython();
}

export async function teardown() {}

export function startPython({ code, argv = [], env = {}, name: fileName = 'main.py' }) {
  checkPython();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockgate-py-'));
  fs.writeFileSync(path.join(dir, fileName), code);
  const child = spawn(PYTHON, ['-u', fileName, ...argv.map(String)], {
    cwd: dir,
    env: {
      PATH: '/usr/local/bin:/usr/bin:/bin',
      HOME: dir,
      LANG: 'C.UTF-8',
      PYTHONIOENCODING: 'utf-8',
      PYTHONDONTWRITEBYTECODE: '1',
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return new NativeRun(child, dir);
}

class NativeRun {
  constructor(child, dir) {
    this.child = child;
    this.output = { stdout: '', stderr: '' };
    this.ended = false;
    this.waiters = new Set();
    // Writing to a program that has ended (or closed stdin) is not an error
    // of the test: the comparison shows what the program did.
    child.stdin.on('error', () => {});

    const streamsClosed = ['stdout', 'stderr'].map(
      (stream) =>
        new Promise((resolve) => {
          const decoder = new StringDecoder('utf8');
          child[stream].on('data', (chunk) => {
            this.output[stream] += decoder.write(chunk);
            this.notify();
          });
          child[stream].on('close', () => {
            this.output[stream] += decoder.end();
            resolve();
          });
        }),
    );
    const exited = new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code, signal) => {
        resolve(code !== null ? code : 128 + (os.constants.signals[signal] ?? 0));
      });
    });
    this.done = Promise.all([exited, ...streamsClosed]).then(([exitCode]) => {
      this.ended = true;
      this.notify();
      fs.rmSync(dir, { recursive: true, force: true });
      return { stdout: this.output.stdout, stderr: this.output.stderr, exitCode };
    });
    this.done.catch(() => {
      this.ended = true;
      this.notify();
    });
  }

  notify() {
    for (const check of [...this.waiters]) check();
  }

  waitFor(pattern, { stream = 'stdout', timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const finish = (fn, value) => {
        this.waiters.delete(check);
        clearTimeout(timer);
        fn(value);
      };
      const check = () => {
        const text = this.output[stream];
        if (typeof pattern === 'string') {
          if (text.includes(pattern)) return finish(resolve, pattern);
        } else {
          const match = text.match(pattern);
          if (match) return finish(resolve, match);
        }
        if (this.ended) {
          finish(reject, new Error(`program ended without printing ${describe(pattern)} on ${stream}`));
        }
      };
      const timer = setTimeout(
        () => finish(reject, new Error(`program did not print ${describe(pattern)} on ${stream} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }

  async waitBlocked({ timeoutMs = 5000 } = {}) {
    const deadline = Date.now() + timeoutMs;
    const statFile = `/proc/${this.child.pid}/stat`;
    for (;;) {
      if (this.ended) return;
      let state = null;
      try {
        const stat = fs.readFileSync(statFile, 'utf8');
        state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      } catch {
        return; // gone
      }
      if (state === 'S') return;
      if (Date.now() > deadline) throw new Error(`program not blocked within ${timeoutMs} ms (state ${state})`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  write(text) {
    if (!this.child.stdin.writableEnded) this.child.stdin.write(text);
  }

  closeStdin() {
    if (!this.child.stdin.writableEnded) this.child.stdin.end();
  }

  interrupt() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

function describe(pattern) {
  return typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
}
