// Shared pieces of the example tests: socket programs run natively or as
// wasm under Node (run_wasm.mjs); the real gateway and free ports come from
// tests/support/gateway.mjs (SOCKGATE_GATEWAY_BIN).
//
// Environment:
//   SOCKGATE_EXAMPLES_NATIVE_DIR  native examples: example_<name>; test programs: tests/test_<name>
//   SOCKGATE_EXAMPLES_WASM_DIR    wasm examples: programs.mjs + .wasm (all of them); test programs: tests/<name>.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');

export const NATIVE_DIR = process.env.SOCKGATE_EXAMPLES_NATIVE_DIR || path.join(repo, 'build/examples');
export const WASM_DIR = process.env.SOCKGATE_EXAMPLES_WASM_DIR || path.join(repo, 'build-wasm/examples');
export const RUN_WASM = path.join(here, 'run_wasm.mjs');

// How long any one program may run before the test gives up on it.
export const PROGRAM_TIMEOUT_MS = 30000;

function mustExist(file, what) {
  if (!fs.existsSync(file)) throw new Error(`${what} not found: ${file}`);
  return file;
}

// Collects a child's output as lines and lets tests wait for one.
class LineReader {
  constructor(stream) {
    this.lines = [];
    this.waiters = [];
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      pending += chunk;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) {
        this.lines.push(pending.slice(0, nl));
        pending = pending.slice(nl + 1);
        this.notify();
      }
    });
    stream.on('end', () => {
      if (pending) this.lines.push(pending);
      pending = '';
      this.ended = true;
      this.notify();
    });
  }

  notify() {
    for (const w of [...this.waiters]) w();
  }

  // Resolves with the first line matching `pattern`.
  waitFor(pattern, timeoutMs, describe) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.find((l) => pattern.test(l));
        if (line !== undefined || this.ended) {
          this.waiters = this.waiters.filter((w) => w !== check);
          clearTimeout(timer);
          if (line !== undefined) resolve(line);
          else reject(new Error(`${describe()} ended without printing ${pattern}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`${describe()} did not print ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(check);
      check();
    });
  }
}

// The gateway and free ports, as every Node suite gets them.
export { freePort, portIsFree, startGateway } from '../support/gateway.mjs';

// One run of a socket program. kind: 'native' or 'wasm'. name: the example
// or test program's name (tcp_server, socket_probe, ...).
export class Program {
  // options.env: extra environment variables for the program's process.
  constructor(kind, name, args, gateway, options = {}) {
    this.kind = kind;
    this.name = name;
    let command;
    let argv;
    const testProgram = name.startsWith('socket_');  // built from tests/examples/
    if (kind === 'native') {
      const file = testProgram ? path.join(NATIVE_DIR, 'tests', `test_${name}`) : path.join(NATIVE_DIR, `example_${name}`);
      command = mustExist(file, `native program ${name}`);
      argv = args;
    } else {
      // The examples share one module (programs.mjs) and are picked by name.
      const module = testProgram
        ? mustExist(path.join(WASM_DIR, 'tests', `${name}.mjs`), `wasm program ${name}`)
        : mustExist(path.join(WASM_DIR, 'programs.mjs'), 'the wasm example programs');
      mustExist(module.replace(/\.mjs$/, '.wasm'), `wasm binary of ${name}`);
      command = process.execPath;
      argv = [RUN_WASM, ...(testProgram ? [] : ['--program', name]), module, gateway.wsUrl, ...args];
    }
    this.child = spawn(command, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...(options.env || {}) },
    });
    this.out = new LineReader(this.child.stdout);
    this.err = new LineReader(this.child.stderr);
    // 'close', not 'exit': 'exit' can come before the last of the
    // program's output has been read from its pipes, and a result without
    // its final lines made a parity test fail now and then.
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
    this.timer = setTimeout(() => this.child.kill('SIGKILL'), PROGRAM_TIMEOUT_MS);
    this.exited.then(() => clearTimeout(this.timer));
  }

  describe() {
    return `${this.kind} ${this.name}`;
  }

  waitFor(pattern, timeoutMs = 15000) {
    return this.out.waitFor(pattern, timeoutMs, () => this.describe());
  }

  // Ends the program the way its environment would: a page's Stop button
  // (Module.sockgateStop) for wasm, SIGTERM natively.
  stop() {
    if (this.kind === 'wasm') this.child.stdin.write('stop\n');
    else this.child.kill('SIGTERM');
  }

  kill() {
    this.child.kill('SIGKILL');
  }

  // Waits for the exit and returns {code, signal, stdout, stderr}.
  async result() {
    const { code, signal } = await this.exited;
    return { code, signal, stdout: this.out.lines, stderr: this.err.lines };
  }
}

// Output lines with addresses and port numbers replaced, so runs on
// different ports and address families compare equal. The examples print
// IPv6 addresses in brackets, "[::1]:80", which keeps this unambiguous.
export function normalize(lines) {
  return lines.map((line) =>
    line
      .replace(/\[[0-9a-f:.]+\]/gi, '<ip>')
      .replace(/\b\d{1,3}(?:\.\d{1,3}){3}\b/g, '<ip>')
      .replace(/\blocalhost\b/g, '<ip>')
      .replace(/:\d{1,5}\b/g, ':<port>'),
  );
}

export function describeRun(program, result) {
  return `${program.describe()} exited ${result.code ?? result.signal}\nstdout:\n${result.stdout.join('\n')}\nstderr:\n${result.stderr.join('\n')}`;
}
