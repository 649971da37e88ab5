// The Python worker: one CPython (Pyodide) per worker, one program per
// worker. The host (python_run.js) starts it, it loads Pyodide at once so
// that Run is instant, and then runs exactly one program; the host throws
// the worker away afterwards, so every run starts from a fresh interpreter.
//
// Runs as a module Web Worker in the page and as a worker_threads Worker
// under Node (the tests). Messages:
//   host → worker  {type:'init', pyodideModuleUrl, indexURL, callBuffer, interrupt}
//                  {type:'run', source, filename, argv}
//   worker → host  {type:'ready', version, loadMs} | {type:'failed', message}
//                  {type:'call', seq, op, args} | {type:'cancel', seq}   (channel.js)
//                  {type:'stdout'|'stderr', bytes}
//                  {type:'exit', status}

import { CallChannel } from './channel.js';
import { hookInstantiate, installSockets } from './sockfs.js';
import { PRELUDE, PRELUDE_FILENAME } from './prelude.js';

const endpoint = await connectToHost();
let pyodide = null;
let channel = null;
const runtime = { module: null, recvFlags: 0, resolve: () => ({ errno: 'EAGAIN' }) };

endpoint.listen(async (message) => {
  try {
    if (message.type === 'init') await init(message);
    else if (message.type === 'run') run(message);
  } catch (e) {
    endpoint.post({ type: 'failed', message: e?.stack ?? String(e) });
  }
});

async function connectToHost() {
  if (typeof WorkerGlobalScope !== 'undefined' && globalThis instanceof WorkerGlobalScope) {
    return {
      post: (m, transfer) => globalThis.postMessage(m, transfer ?? []),
      listen: (fn) => globalThis.addEventListener('message', (e) => fn(e.data)),
    };
  }
  // Node: computed so that the page's bundler leaves it alone.
  const { parentPort } = await import(['node', 'worker_threads'].join(':'));
  return {
    post: (m, transfer) => parentPort.postMessage(m, transfer ?? []),
    listen: (fn) => parentPort.on('message', fn),
  };
}

async function init({ pyodideModuleUrl, indexURL, callBuffer, interrupt }) {
  const started = performance.now();
  channel = new CallChannel(callBuffer, interrupt, endpoint.post);
  hookInstantiate(runtime);
  const { loadPyodide } = await import(pyodideModuleUrl);
  const output = (type) => ({
    write(bytes) {
      endpoint.post({ type, bytes: bytes.slice() });
      return bytes.length;
    },
    // A terminal-like pane: stdout is line-buffered, as on a terminal.
    isatty: type === 'stdout',
  });
  pyodide = await loadPyodide({
    indexURL,
    env: { HOME: '/home/pyodide', NO_COLOR: '1', PYTHONIOENCODING: 'utf-8' },
    stdout: undefined,
    stderr: undefined,
  });
  pyodide.setStdout(output('stdout'));
  pyodide.setStderr(output('stderr'));
  pyodide.setStdin({ stdin: readLine, isatty: false });
  pyodide.setInterruptBuffer(interrupt);
  runtime.module = pyodide._module;

  const errno = JSON.parse(
    pyodide.runPython('import errno, json; json.dumps({k: v for k, v in vars(errno).items() if k.startswith("E")})'),
  );
  installSockets({ Module: pyodide._module, channel, errno, runtime });
  pyodide.registerJsModule('_sockgate', {
    set_option: (fd, level, optname, value) => runtime.rememberOption(fd, level, optname, value),
    // Milliseconds; false when Stop interrupted the sleep.
    sleep: (ms) => {
      if (ms <= 0) return true;
      if (channel.call('sleep', { timeoutMs: Math.max(1, Math.round(ms)) })) return true;
      channel.takeInterrupt();
      return false;
    },
  });
  pyodide.runPython(PRELUDE, { filename: PRELUDE_FILENAME });
  endpoint.post({ type: 'ready', version: pyodide.version, python: pythonVersion(), loadMs: performance.now() - started });
}

function pythonVersion() {
  return pyodide.runPython('import sys; sys.version.split()[0]');
}

// input() and sys.stdin: one line typed into the page, or EOF.
function readLine() {
  const r = channel.call('stdin');
  if (!r) {
    // Interrupted: EINTR makes CPython check its signals, which raises
    // KeyboardInterrupt from input().
    throw new pyodide._module.FS.ErrnoError(pyodide.ERRNO_CODES.EINTR);
  }
  if (r.reply.eof) return null;
  const text = r.reply.text;
  return text.endsWith('\n') ? text : `${text}\n`;
}

function run({ source, filename = 'main.py', argv = [] }) {
  // The file exists so that tracebacks can quote its lines.
  pyodide.FS.writeFile(`/home/pyodide/${filename}`, source);
  const runMain = pyodide.globals.get('_run_main');
  let status;
  try {
    status = runMain(source, filename, pyodide.toPy(argv));
  } finally {
    runMain.destroy();
  }
  endpoint.post({ type: 'exit', status });
}
