// The playground's Python runtime in a page of its own, for the Chromium
// runner (tests/python/chromium_runner.mjs): the same modules as the
// playground (web/src/python/, web/src/sockgate.js), the same worker bundle
// (python-worker.js) and Pyodide files from the same web root, with a small
// API on window that the test drives through page.evaluate.

import { openSession } from '../../../web/src/sockgate.js';
import { PythonRuntime } from '../../../web/src/python/run.js';

const runtime = new PythonRuntime({
  createWorker() {
    const worker = new Worker(new URL('python-worker.js', document.baseURI), { type: 'module' });
    return {
      post: (message, transfer) => worker.postMessage(message, transfer ?? []),
      onMessage: (fn) => worker.addEventListener('message', (e) => fn(e.data)),
      onError: (fn) => worker.addEventListener('error', (e) => fn(new Error(e.message || 'the Python worker failed'))),
      terminate: () => worker.terminate(),
    };
  },
  openSession: () => openSession({}),
  pyodideModuleUrl: new URL('pyodide/pyodide.mjs', document.baseURI).href,
  indexURL: new URL('pyodide/', document.baseURI).href,
});

const runs = new Map();
let nextId = 1;

window.pythonHarness = {
  warm: () => runtime.warm().then(() => true),

  async start(source, argv) {
    const id = nextId++;
    const record = { stdout: '', stderr: '', result: null, run: null };
    runs.set(id, record);
    const run = await runtime.start({ source, argv });
    record.run = run;
    run.addEventListener('stdout', (e) => (record.stdout += e.detail.text));
    run.addEventListener('stderr', (e) => (record.stderr += e.detail.text));
    run.done.then((r) => (record.result = { status: r.status, reason: r.reason, message: r.message }));
    return id;
  },

  state(id) {
    const r = runs.get(id);
    return { stdout: r.stdout, stderr: r.stderr, result: r.result, blockedIn: r.run?.blockedIn ?? null };
  },

  input: (id, line) => runs.get(id).run.input(line),
  closeInput: (id) => runs.get(id).run.closeInput(),
  stop: (id) => void runs.get(id).run.stop(),
  kill: (id) => void runs.get(id).run.kill(),
};
