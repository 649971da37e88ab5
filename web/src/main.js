// The playground page: the header, the Python editor, the C++ examples and
// the console each talk to the gateway over sessions of their own (one per
// run, one for the console); the sockets table, the sequence diagram and the
// wire view follow whichever session the learner picks (sessions.js).

import { openSession } from './sockgate.js';
import { h, errorInfo } from './format.js';
import { Header, fetchInfo, fetchHealth } from './info.js';
import { Console } from './console.js';
import { SocketsTable } from './sockets.js';
import { SequenceDiagram } from './sequence.js';
import { WireView } from './wire.js';
import { ExamplesPanel } from './examples.js';
import { errorCallout, unreachableCallout } from './errors.js';
import { SessionHub, SessionRecord } from './sessions.js';
import { SessionPicker, optionText } from './session_picker.js';
import { PythonPanel } from './python_panel.js';
import { PythonRuntime } from './python/run.js';
import { Reconnector } from './reconnect.js';
import { FirstSteps } from './first_steps.js';
import { ColumnResizer } from './layout_resize.js';

const $ = (sel) => document.querySelector(sel);

const state = {
  info: null,
  session: null,
  connecting: false,
  // Set while the console's session is lost and not yet back:
  // {since, reason, explained (the console has said why)}.
  outage: null,
  token: new URLSearchParams(location.search).get('token') || sessionStorage.getItem('sockgate.token') || null,
};

function wsUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

let healthTimer = null;
let healthSoon = null;

const reconnector = new Reconnector(() => connect());
const header = new Header($('#topbar'), { onReconnect: () => reconnector.retryNow(), onDisconnect: () => disconnect() });
reconnector.addEventListener('wait', (e) => {
  header.setConnection('waiting', { reason: state.outage?.reason, secondsLeft: e.detail.secondsLeft });
});
// Known down: the console's session was lost, or its tries found no gateway.
const gatewayDown = () => state.outage !== null;

// --- the views, following the picked session ----------------------------

const hub = new SessionHub();
const wire = new WireView($('#wire'));
const sequence = new SequenceDiagram($('#sequence'), { onSelect: (seq) => wire.reveal(seq), picker: new SessionPicker(hub).el });
// A console command is about the console's sockets: the views show them.
const consoleView = new Console($('#console'), { getInfo: () => state.info, onCommand: () => hub.select(hub.console) });
const sockets = new SocketsTable($('#sockets'), {
  send: (sock, kind) => {
    const demo = state.info?.demo;
    consoleView.fill(kind === 'udp' ? `sendto ${sock} ${demo ? `${demo.host} ${demo.port}` : '127.0.0.1 9007'} ` : `send ${sock} `);
  },
  shutdown: (sock) => consoleView.run(`shutdown ${sock}`),
  close: (sock) => consoleView.run(`close ${sock}`),
}, { picker: new SessionPicker(hub).el });

// The console's messages are drawn as they come: one command makes a few.
// A program's are drawn at most four times a second, together: a port
// scanner sends hundreds a second, and the page answers its socket calls on
// the same thread that draws. A draw that takes long (thousands of rows)
// makes the next wait longer, so that drawing keeps at most a tenth of the
// thread from the program's socket calls.
const BATCH_MS = 250;
const DRAW_SHARE = 0.1;
let incoming = [];
let lastDraw = 0;
let drawGap = BATCH_MS;
let drawTimer = null;
function drawIncoming() {
  clearTimeout(drawTimer);
  drawTimer = null;
  const started = performance.now();
  const batch = incoming;
  incoming = [];
  sequence.addMany(batch);
  wire.addMany(batch);
  lastDraw = performance.now();
  drawGap = Math.max(BATCH_MS, (lastDraw - started) * (1 / DRAW_SHARE - 1));
}
hub.addEventListener('select', () => {
  const rec = hub.current;
  clearTimeout(drawTimer);
  drawTimer = null;
  incoming = []; // already in the history drawn below
  sequence.load(rec.history);
  wire.load(rec.history);
  wire.setSubject(optionText(rec));
  sockets.show(rec);
});
hub.addEventListener('list', () => { if (hub.current) wire.setSubject(optionText(hub.current)); });
hub.addEventListener('message', (e) => {
  incoming.push(e.detail);
  if (drawTimer) return;
  const wait = hub.current.kind === 'console' ? 0 : lastDraw + drawGap - performance.now();
  if (wait <= 0) drawIncoming();
  else drawTimer = setTimeout(drawIncoming, wait);
});
hub.addEventListener('sockets', () => sockets.refresh());

/** Records the session of a run; the views follow the newest run. */
function track(session, { kind, label }) {
  const record = new SessionRecord({ kind, label });
  if (session) record.attachSession(session);
  return hub.add(record, { follow: true });
}

const runningChanged = () => {
  watchHealth(examples.runningCount() + python.runningCount() > 0);
  clearTimeout(healthSoon);
  healthSoon = setTimeout(showHealth, 400);
};

// The console's own socket on a port, in words, for a program told that the
// port is in use.
function consolePortHolder(port, proto) {
  let rows = [];
  try {
    rows = state.session?.sockets() ?? [];
  } catch {
    return null;
  }
  const kind = proto === 'udp' ? 'udp' : 'listener';
  const row = rows.find((s) => s.kind === kind && s.local?.port === port && s.state !== 'closed');
  return row ? `the console's ${kind === 'udp' ? 'UDP socket' : 'listener'} [${row.id}] (close ${row.id} frees it)` : null;
}

const examples = new ExamplesPanel($('#examples'), {
  wsUrl,
  token: () => state.token,
  track: (label) => track(null, { kind: 'cpp', label }),
  onRunningChange: () => runningChanged(),
  policy: () => state.info?.policy,
  portHolder: consolePortHolder,
  gatewayDown,
});

const python = new PythonPanel($('#python'), {
  makeRuntime: (openRunSession) => new PythonRuntime({
    createWorker: () => {
      const w = new Worker(new URL('python-worker.js', document.baseURI), { type: 'module' });
      return {
        post: (m, t) => w.postMessage(m, t ?? []),
        onMessage: (fn) => w.addEventListener('message', (e) => fn(e.data)),
        onError: (fn) => w.addEventListener('error', (e) => fn(new Error(e.message || 'the Python worker failed to load'))),
        terminate: () => w.terminate(),
      };
    },
    openSession: openRunSession,
    pyodideModuleUrl: new URL('pyodide/pyodide.mjs', document.baseURI).href,
    indexURL: new URL('pyodide/', document.baseURI).href,
  }),
  openSession: () => openSession({ url: wsUrl(), token: state.token || undefined }),
  track: (session, label) => track(session, { kind: 'python', label }),
  getInfo: () => state.info,
  onRunningChange: () => runningChanged(),
  gatewayDown,
  portHolder: consolePortHolder,
});

// Runs a Python example as if its tab and Run were clicked.
async function runPython(name) {
  await python.select(name);
  python.run(name);
}

new ColumnResizer($('.layout'));

new FirstSteps($('#first-steps'), [
  { label: 'Run the TCP server', title: 'Runs the Python TCP server example (Python panel)', act: () => runPython('tcp_server') },
  { label: 'Run the TCP client', title: 'Runs the Python TCP client example, which talks to that server', act: () => runPython('tcp_client') },
]);

// --- gateway load while examples run (their sessions are not ours) -------

async function showHealth() {
  try {
    const hz = await fetchHealth();
    examples.gatewayLoad.textContent = `gateway: ${hz.sessions} session${hz.sessions === 1 ? '' : 's'} · ${hz.sockets} socket${hz.sockets === 1 ? '' : 's'}`;
  } catch {
    examples.gatewayLoad.textContent = 'gateway unreachable';
  }
}
function watchHealth(on) {
  if (on && !healthTimer) {
    showHealth();
    healthTimer = setInterval(showHealth, 1500);
  } else if (!on && healthTimer) {
    clearInterval(healthTimer);
    healthTimer = null;
    setTimeout(showHealth, 300);
  }
}

// --- the console's session ----------------------------------------------

// One try at the console's session: 'connected', 'retry' (the gateway is
// away or turned the session down for now) or 'stop' (only the learner can
// fix it: a wrong token). The gateway's info is read again on every try: a
// gateway that restarted may have other rules.
async function connect() {
  if (state.connecting) return 'busy';
  state.connecting = true;
  reconnector.cancel();
  header.setConnection('connecting');
  try {
    try {
      state.info = await fetchInfo();
    } catch (err) {
      // No answer, or a proxy's 502 for a gateway behind it that is down.
      err.unreachable = true;
      throw err;
    }
    header.setInfo(state.info);
    if (state.info.token_required && !state.token) {
      state.token = await askToken();
    }
    const session = await openSession({ url: wsUrl(), token: state.token || undefined });
    state.session = session;
    if (state.token) sessionStorage.setItem('sockgate.token', state.token);
    // The views stay on a run the learner is watching.
    const record = new SessionRecord({ kind: 'console', label: 'console' });
    record.attachSession(session);
    hub.add(record, { follow: !hub.current || hub.current.kind === 'console' });
    session.addEventListener('sessionclosed', (e) => onSessionClosed(session, e.detail));
    consoleView.attach(session);
    header.setConnection('connected', { sessionInfo: session.info });
    const outage = state.outage;
    state.outage = null;
    if (outage) gatewayBack(outage);
    consoleView.welcome(session.info);
    return 'connected';
  } catch (err) {
    return connectFailed(err);
  } finally {
    state.connecting = false;
  }
}

function connectFailed(err) {
  const { code, message } = errorInfo(err);
  const unreachable = err.unreachable === true;
  if (code === 'EACCES' && state.info?.token_required) {
    state.token = null;
    sessionStorage.removeItem('sockgate.token');
  }
  const retry = code !== 'EACCES';
  const reason = unreachable ? 'gateway unreachable' : `${code === 'Error' ? '' : `${code}: `}${message}`;
  // One explanation per outage, not one per try.
  const explained = state.outage?.explained === true;
  if (retry) state.outage = { since: state.outage?.since ?? Date.now(), reason, explained: true };
  if (!explained || !retry) {
    consoleView.block('error', unreachable
      ? unreachableCallout({
        context: 'connecting to the gateway',
        message: `Nothing answers at ${location.host}: the gateway that serves this page has stopped or is restarting, or the network is down.`,
        tip: `Start the gateway again, or wait. ${RETRY_TIP}`,
      })
      : errorCallout(err, { context: 'connecting to the gateway', policy: state.info?.policy, tip: retry ? RETRY_TIP : null }));
  }
  if (!retry) {
    header.setConnection('failed', { reason });
    return 'stop';
  }
  return 'retry';
}

const RETRY_TIP = 'The page tries again by itself (the countdown is at the top); Retry now skips the wait.';

// After an outage: what the page showed as failed while the gateway was
// away is loaded again.
function gatewayBack(outage) {
  const secs = Math.max(1, Math.round((Date.now() - outage.since) / 1000));
  consoleView.line('ok', '● ', h('strong', {}, 'The gateway is back'), ` after ${secs} s. The sockets of the old session closed with it.`);
  examples.gatewayBack();
  python.gatewayBack();
  showHealth();
}

async function disconnect() {
  const s = state.session;
  reconnector.cancel();
  if (!s || s.closed) return;
  s.userClosed = true;
  try {
    await s.closeSession(1000, 'closed from the page');
  } catch { /* already gone */ }
}

function onSessionClosed(session, { code, reason }) {
  if (state.session !== session) return;
  const why = session.userClosed ? 'you disconnected' : code === 1001 ? 'the gateway is shutting down' : code === 1006 ? 'connection lost' : `code ${code}`;
  consoleView.sessionClosed({ code, reason, reconnecting: !session.userClosed });
  if (session.userClosed) {
    header.setConnection('disconnected', { reason: why });
    return;
  }
  state.outage = { since: Date.now(), reason: why };
  reconnector.reset();
  reconnector.schedule();
}

function askToken() {
  return new Promise((resolve) => {
    const input = h('input', { type: 'password', class: 'token-input', 'aria-label': 'Gateway token', placeholder: 'token' });
    const form = h('form', { class: 'token-form' }, h('span', {}, 'This gateway needs a token:'), input,
      h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Connect'));
    form.addEventListener('submit', (e) => { e.preventDefault(); form.remove(); resolve(input.value); });
    $('#topbar').append(form);
    input.focus();
  });
}

// --- keyboard -----------------------------------------------------------

// Ctrl+Enter and Ctrl+. act on the panel last used: the Python editor (the
// default) or the C++ examples. The Python editor binds them itself.
let runPanel = python;
$('#examples').addEventListener('focusin', () => { runPanel = examples; });
$('#examples').addEventListener('pointerdown', () => { runPanel = examples; });
$('#python').addEventListener('focusin', () => { runPanel = python; });
$('#python').addEventListener('pointerdown', () => { runPanel = python; });

document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented) return;
  const typing = e.target.closest?.('input, textarea, select, .cm-editor');
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key === 'Enter' && !e.target.closest?.('.console-form, .py-stdin')) {
    e.preventDefault();
    runPanel.run();
  } else if (mod && e.key === '.') {
    e.preventDefault();
    runPanel.stop();
  } else if (!typing && !mod && !e.altKey && e.key === '/') {
    e.preventDefault();
    consoleView.focus();
  }
});

// --- start ----------------------------------------------------------------

window.sockgatePlayground = { state, hub, consoleView, sockets, sequence, wire, examples, python, connect, disconnect };
python.load();
examples.load();
reconnector.attempt().then(() => showHealth());
