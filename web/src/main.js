// The playground page: wires the header, the examples, the console, the
// sockets table, the sequence diagram and the wire view to one gateway
// session (the console's), and lets examples run on sessions of their own.

import { openSession } from './sockgate.js';
import { h, errorInfo } from './format.js';
import { Header, fetchInfo, fetchHealth } from './info.js';
import { Console } from './console.js';
import { SocketsTable } from './sockets.js';
import { SequenceDiagram } from './sequence.js';
import { WireView } from './wire.js';
import { WireTracker } from './tracker.js';
import { ExamplesPanel } from './examples.js';
import { errorCallout } from './errors.js';

const $ = (sel) => document.querySelector(sel);

const state = {
  info: null,
  session: null,
  connecting: false,
  token: new URLSearchParams(location.search).get('token') || sessionStorage.getItem('sockgate.token') || null,
};

function wsUrl() {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

let healthTimer = null;
let healthSoon = null;

const header = new Header($('#topbar'), { onReconnect: () => connect(), onDisconnect: () => disconnect() });
const tracker = new WireTracker();
const wire = new WireView($('#wire'));
const sequence = new SequenceDiagram($('#sequence'), { onSelect: (seq) => wire.reveal(seq) });
tracker.addEventListener('message', (e) => {
  sequence.add(e.detail);
  wire.add(e.detail);
});
const consoleView = new Console($('#console'), { getInfo: () => state.info });
const sockets = new SocketsTable($('#sockets'), {
  send: (sock, kind) => {
    const demo = state.info?.demo;
    consoleView.fill(kind === 'udp' ? `sendto ${sock} ${demo ? `${demo.host} ${demo.port}` : '127.0.0.1 9007'} ` : `send ${sock} `);
  },
  shutdown: (sock) => consoleView.run(`shutdown ${sock}`),
  close: (sock) => consoleView.run(`close ${sock}`),
});
const examples = new ExamplesPanel($('#examples'), {
  wsUrl,
  token: () => state.token,
  onRunningChange: (n) => {
    watchHealth(n > 0);
    clearTimeout(healthSoon);
    healthSoon = setTimeout(showHealth, 400);
  },
});

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

async function connect() {
  if (state.connecting) return;
  state.connecting = true;
  header.setConnection('connecting');
  try {
    if (!state.info) {
      state.info = await fetchInfo();
      header.setInfo(state.info);
    }
    if (state.info.token_required && !state.token) {
      state.token = await askToken();
    }
    const session = await openSession({ url: wsUrl(), token: state.token || undefined });
    state.session = session;
    if (state.token) sessionStorage.setItem('sockgate.token', state.token);
    tracker.reset();
    let sawHello = false;
    session.addEventListener('wire', (e) => {
      const d = e.detail;
      const hello = d.kind === 'text' && /"op"\s*:\s*"hello"/.test(d.text || '');
      tracker.push(d);
      if (hello && d.dir === 'in') {
        sawHello = true;
        tracker.note(`session ${String(session.info?.session || '?').slice(0, 8)} open`);
      }
    });
    // The session delivers the handshake's wire events right after
    // openSession resolves; a session that cannot gets it drawn from the
    // hello reply it kept.
    setTimeout(() => { if (!sawHello && state.session === session) replayHello(session); }, 150);
    session.addEventListener('sessionclosed', (e) => onSessionClosed(session, e.detail));
    consoleView.attach(session);
    sockets.attach(session);
    header.setConnection('connected', { sessionInfo: session.info });
    consoleView.welcome(session.info);
  } catch (err) {
    const { code, message } = errorInfo(err);
    header.setConnection('failed', { reason: `${code === 'Error' ? '' : `${code}: `}${message}` });
    consoleView.block('error', errorCallout(err, { context: 'connecting to the gateway', policy: state.info?.policy }));
    if (code === 'EACCES' && state.info?.token_required) {
      state.token = null;
      sessionStorage.removeItem('sockgate.token');
    }
  } finally {
    state.connecting = false;
  }
}

// The handshake happened inside openSession, before the page could listen
// to 'wire' events; draw it from the hello reply the session kept.
function replayHello(session) {
  const i = session.info || {};
  const now = Date.now();
  const reply = { op: 'hello', id: 1, ok: true, ...i };
  delete reply.token;
  tracker.push({ dir: 'out', kind: 'text', text: JSON.stringify({ op: 'hello', id: reply.id, version: i.version ?? 1 }), time: now, replayed: true });
  tracker.push({ dir: 'in', kind: 'text', text: JSON.stringify(reply), time: now, replayed: true });
  tracker.note(`session ${String(i.session || '?').slice(0, 8)} open`);
}

async function disconnect() {
  const s = state.session;
  if (!s || s.closed) return;
  s.userClosed = true;
  try {
    await s.closeSession(1000, 'closed from the page');
  } catch { /* already gone */ }
}

function onSessionClosed(session, { code, reason }) {
  if (state.session !== session) return;
  const why = session.userClosed ? 'you disconnected' : code === 1001 ? 'the gateway is shutting down' : code === 1006 ? 'connection lost' : `code ${code}`;
  header.setConnection('disconnected', { reason: `${why}${reason && !session.userClosed ? ` · ${reason}` : ''}` });
  tracker.note(`session closed · ${code}${reason ? ` ${reason}` : ''}`);
  consoleView.sessionClosed({ code, reason });
  sockets.render();
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

document.addEventListener('keydown', (e) => {
  const typing = e.target.closest?.('input, textarea, select, .cm-editor');
  const mod = e.ctrlKey || e.metaKey;
  if (mod && e.key === 'Enter' && !e.target.closest?.('.console-form')) {
    e.preventDefault();
    examples.run();
  } else if (mod && e.key === '.') {
    e.preventDefault();
    examples.stop();
  } else if (!typing && !mod && !e.altKey && e.key === '/') {
    e.preventDefault();
    consoleView.focus();
  }
});

// --- start ----------------------------------------------------------------

window.sockgatePlayground = { state, tracker, consoleView, sockets, sequence, wire, examples, connect, disconnect };
examples.load();
connect().then(() => showHealth());
