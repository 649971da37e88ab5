// The playground's Python under Node: the same worker, socket backend and
// host as in the page (web/src/python/), with the worker in worker_threads
// and the host's wasm client session in this process, against a real
// gateway. Same interface as cpython_runner.mjs, so the differential tests
// run one corpus through both.
//
//   await setup({ gateway });              // a gateway from tests/wasm/support.mjs
//   const run = startPython({ code, argv });
//   await run.waitFor(/listening on/);
//   const { stdout, stderr, exitCode } = await run.done;
//
// exitCode: the status python3 would exit with: 130 after an uncaught
// KeyboardInterrupt, 137 after kill() (cpython_runner.mjs maps signals the
// same way).

import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { openSession } from '../wasm/support.mjs';
import { PythonRuntime } from '../../web/src/python/run.js';

export const name = 'pyodide';
export const family = 'playground';

const require = createRequire(import.meta.url);
const pyodideDir = path.dirname(require.resolve('pyodide/package.json'));
const workerUrl = new URL('../../web/src/python/worker.js', import.meta.url);

let runtime = null;

function createWorker() {
  const worker = new Worker(workerUrl);
  return {
    post: (message, transfer) => worker.postMessage(message, transfer),
    onMessage: (fn) => worker.on('message', fn),
    onError: (fn) => worker.on('error', fn),
    terminate: () => worker.terminate(),
  };
}

export async function setup({ gateway }) {
  runtime = new PythonRuntime({
    createWorker,
    openSession: () => openSession(gateway),
    pyodideModuleUrl: pathToFileURL(path.join(pyodideDir, 'pyodide.mjs')),
    indexURL: `${pyodideDir}/`,
  });
  await runtime.warm();
}

// Resolves once a spare interpreter is loaded, so that the next start()
// does not wait for Pyodide.
export function ready() {
  if (!runtime) throw new Error('pyodide runner: setup({gateway}) first');
  return runtime.warm();
}

export async function teardown() {
  runtime?.dispose();
  runtime = null;
}

export function startPython({ code, argv = [], name: filename = 'main.py' }) {
  if (!runtime) throw new Error('pyodide runner: setup({gateway}) first');
  const started = runtime.start({ source: code, filename, argv: argv.map(String) });
  const output = { stdout: '', stderr: '' };
  const watchers = new Set();
  const pendingInput = [];
  let inputClosed = false;
  let interruptRequested = false;
  let killRequested = false;
  let python = null;

  const check = () => {
    for (const w of watchers) w();
  };

  const done = started.then(
    (run) => {
      python = run;
      for (const stream of ['stdout', 'stderr']) {
        run.addEventListener(stream, (e) => {
          output[stream] += e.detail.text;
          check();
        });
      }
      for (const line of pendingInput.splice(0)) run.input(line);
      if (inputClosed) run.closeInput();
      if (killRequested) run.kill();
      else if (interruptRequested) run.stop();
      return run.done.then((r) => {
        check();
        let exitCode = r.status;
        if (exitCode === null) exitCode = r.reason === 'killed' ? (killRequested ? 137 : 130) : -1;
        return { stdout: output.stdout, stderr: output.stderr, exitCode, reason: r.reason, message: r.message };
      });
    },
  );

  return {
    output,
    done,
    waitFor(pattern, { stream = 'stdout', timeoutMs = 10_000 } = {}) {
      return new Promise((resolve, reject) => {
        const find = () => {
          const text = output[stream];
          if (typeof pattern === 'string') return text.includes(pattern) ? pattern : null;
          return text.match(pattern);
        };
        const timer = setTimeout(() => {
          watchers.delete(watcher);
          reject(new Error(`pyodide: ${pattern} did not appear on ${stream} within ${timeoutMs} ms; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`));
        }, timeoutMs);
        const watcher = () => {
          const m = find();
          if (!m) return;
          clearTimeout(timer);
          watchers.delete(watcher);
          resolve(m);
        };
        watchers.add(watcher);
        watcher();
        done.then(() => {
          if (watchers.has(watcher)) {
            watchers.delete(watcher);
            clearTimeout(timer);
            const m = find();
            if (m) resolve(m);
            else reject(new Error(`pyodide: the program ended before ${pattern} appeared on ${stream}; stdout:\n${output.stdout}\nstderr:\n${output.stderr}`));
          }
        }, reject);
      });
    },
    write(text) {
      // input() takes lines; a chunk may hold several.
      const lines = String(text).split('\n');
      const last = lines.pop();
      if (last) lines.push(last);
      for (const line of lines) {
        if (python) python.input(line);
        else pendingInput.push(line);
      }
    },
    closeStdin() {
      inputClosed = true;
      python?.closeInput();
    },
    interrupt() {
      interruptRequested = true;
      python?.stop();
    },
    kill() {
      killRequested = true;
      python?.kill();
    },
    // Resolves once the program waits in a blocking call (socket, select,
    // sleep, input) rather than computing: the moment a user's Stop finds a
    // blocked server. Checks every 5 ms.
    async waitBlocked({ timeoutMs = 5000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const run = python ?? (await started);
        if (run.blockedIn || !run.running) return run.blockedIn;
        if (Date.now() > deadline) throw new Error(`pyodide: the program did not block within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    },
  };
}
