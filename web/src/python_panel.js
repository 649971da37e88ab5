// The Python panel: an editor for Python socket programs (the examples in
// examples/python/ and the learner's own), Run and Stop per program, an
// output pane per program with a line for input(), and share links.
//
// Each program keeps its own text (with its own undo history), arguments,
// run and output, so a server and its client can run at once. Every run is
// a fresh CPython in a Web Worker with its own gateway session
// (python/run.js); the page records that session like any other, and the
// sockets table, sequence diagram and wire view follow it.

import { h, copyButton, copyText, errorInfo } from './format.js';
import { SourceView } from './editor.js';
import { RunOutput } from './python_output.js';
import { errorCallout, unreachableCallout } from './errors.js';
import { hintFor } from './examples.js';
import { readShare, shareUrl } from './share.js';
import { exportMenu, fileStamp } from './export_menu.js';
import { urlParam, setUrlParams } from './url_state.js';

const FILENAME = 'main.py';

const BLANK = `# Your own program: write it here, then Run it (Ctrl+Enter).
# Every socket it opens is a real one, opened by the gateway on its host.
# Start from an example if you like: copy one here and change it.

name = input("What is your name? ")
print(f"Hello, {name}!")
`;

// Programs are busy from Run until their run has ended.
const BUSY = new Set(['starting', 'running', 'stopping']);

export class PythonPanel {
  /**
   * makeRuntime(openSession): the PythonRuntime (python/run.js) to use,
   * given the function that opens each run's session. openSession(): a new
   * gateway session. track(session, label): records a run's session for
   * the views, returns its SessionRecord. getInfo(): the gateway's
   * /api/info (for the policy in callouts). gatewayDown(): whether the
   * gateway is known not to answer now. portHolder(port, proto): who else
   * holds a port, in words, or null.
   */
  constructor(root, { makeRuntime, openSession, track, getInfo = () => null, onRunningChange = () => {}, gatewayDown = () => false, portHolder = () => null }) {
    this.root = root;
    this.portHolder = portHolder;
    this.gatewayDown = gatewayDown;
    this.openSession = openSession;
    this.runtime = makeRuntime(() => this.openRunSession());
    this.track = track;
    this.getInfo = getInfo;
    this.onRunningChange = onRunningChange;
    this.programs = [];
    this.current = null;
    this.shown = null; // the program whose text the editor holds (not while it loads)
    this.starting = null; // the program whose run is opening its session

    this.engine = h('span', { class: 'panel-meta py-engine', role: 'status' }, 'Python: loading…');
    this.tabs = h('div', { class: 'py-tabs', role: 'tablist', 'aria-label': 'Python programs' });
    this.title = h('h3', { class: 'py-title' });
    this.file = h('span', { class: 'py-file' });
    this.desc = h('p', { class: 'py-desc' });
    this.notice = h('div', { class: 'py-notice', role: 'note', hidden: true });
    this.editorHost = h('div', { class: 'py-editor' });
    this.runBtn = h('button', { type: 'button', class: 'btn btn-primary py-run', title: 'Run (Ctrl+Enter)' }, '▶ Run');
    this.stopBtn = h('button', { type: 'button', class: 'btn py-stop', title: 'Stop (Ctrl+.)', disabled: true }, '■ Stop');
    this.status = h('span', { class: 'py-status', role: 'status', dataset: { status: 'idle' } }, 'not running');
    this.args = h('input', { class: 'py-args', type: 'text', spellcheck: 'false', 'aria-label': 'Program arguments (sys.argv[1:])', placeholder: 'no arguments' });
    this.shareBtn = h('button', { type: 'button', class: 'btn btn-small py-share', title: 'Put this code in a link and copy it' }, 'Share');
    this.resetBtn = h('button', { type: 'button', class: 'btn btn-small py-reset', title: 'Put back the example as it was' }, 'Reset');
    this.shareBox = h('div', { class: 'py-sharebox', hidden: true });
    this.hintBox = h('div', { class: 'py-hint', hidden: true });
    // Side by side and Export sit in the output's corner, as a code block's
    // copy button does.
    this.pinBtn = h('button', { type: 'button', class: 'btn btn-small pin-toggle', 'aria-pressed': 'false', title: 'Keep this output in view beside the next program you pick: a server’s and its client’s side by side' }, 'Side by side');
    this.pinBtn.addEventListener('click', () => this.setPinned(this.pinned ? null : this.current));
    this.outputs = h('div', { class: 'py-outputs' },
      h('div', { class: 'out-tools' }, this.pinBtn,
        exportMenu({ name: () => `${this.current?.name ?? 'python'}-output-${fileStamp()}`, records: () => this.current?.out.records() ?? [] })));
    this.stdin = h('input', { class: 'py-stdin-input', type: 'text', spellcheck: 'false', autocomplete: 'off', 'aria-label': 'A line for input()', disabled: true });
    this.stdinForm = h('form', { class: 'py-stdin', dataset: { waiting: 'false' } },
      h('label', { class: 'py-stdin-label' }, 'stdin'),
      this.stdin,
      h('button', { type: 'submit', class: 'btn btn-small py-stdin-send', disabled: true }, 'Send'),
      h('button', { type: 'button', class: 'btn btn-small py-stdin-eof', title: 'End of input: input() raises EOFError', disabled: true }, 'EOF'));

    this.runBtn.addEventListener('click', () => this.run());
    this.stopBtn.addEventListener('click', () => this.stop());
    this.shareBtn.addEventListener('click', () => this.share());
    this.resetBtn.addEventListener('click', () => this.reset());
    this.args.addEventListener('input', () => {
      if (!this.current) return;
      this.current.argsText = this.args.value;
      this.remember();
    });
    this.args.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.run(); });
    this.stdinForm.addEventListener('submit', (e) => { e.preventDefault(); this.sendInput(); });
    this.stdinForm.querySelector('.py-stdin-eof').addEventListener('click', () => this.endInput());

    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Python'),
        h('span', { class: 'panel-sub' }, 'CPython in a Web Worker · each run opens its own session'),
        this.engine),
      this.tabs,
      this.tabPanel = h('div', { class: 'tab-panel', role: 'tabpanel', id: 'py-tabpanel' },
        h('div', { class: 'py-info' },
          h('div', { class: 'py-heading' }, this.title, this.file, this.shareBtn, this.resetBtn),
          this.desc),
        this.notice,
        h('div', { class: 'py-split' },
          this.editorHost,
          h('div', { class: 'py-runbar' },
            this.runBtn, this.stopBtn, this.status,
            h('label', { class: 'py-args-label' }, h('span', {}, 'args'), this.args)),
          this.shareBox,
          this.hintBox,
          this.outputs,
          this.stdinForm)));
    this.editor = new SourceView(this.editorHost, {
      language: 'python',
      editable: true,
      label: 'Python program',
      keys: [
        { key: 'Mod-Enter', run: () => { this.run(); return true; } },
        { key: 'Mod-.', run: () => { this.stop(); return true; } },
      ],
      onChange: () => this.refreshReset(),
    });
  }

  /** Loads the example list, opens a shared link if the page has one, and starts an interpreter. */
  async load() {
    this.warm();
    const list = await this.fetchList();
    this.add({ name: 'main', title: 'Your code', description: 'A blank program of your own.', source: null }, BLANK);
    for (const meta of list) this.add(meta, null);
    this.tabs.addEventListener('keydown', (e) => this.tabKey(e));
    const wanted = this.byName(urlParam('py'));
    if (wanted && urlParam('pyargs') !== null) wanted.argsText = urlParam('pyargs');
    await this.select(wanted ? wanted.name : this.byName('tcp_server') ? 'tcp_server' : 'main');
    this.openShared();
    window.addEventListener('hashchange', () => this.openShared());
  }

  // The examples' list, or [] with a notice saying why there is none.
  async fetchList() {
    try {
      const res = await fetch(new URL('examples/python/index.json', document.baseURI), { cache: 'no-cache' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const list = await res.json();
      this.listFailed = false;
      this.loadNotice = null;
      return list;
    } catch (err) {
      this.listFailed = true;
      this.loadNotice = this.gatewayDown()
        ? 'The Python examples load when the gateway answers again (it serves them). You can write your own meanwhile.'
        : `The Python examples were not found (examples/python/index.json: ${err.message}). You can still write and run your own.`;
      return [];
    }
  }

  /** Keeps p's output in view beside the selected program's (null: one output). */
  setPinned(p) {
    this.pinned = p;
    this.pinBtn.setAttribute('aria-pressed', String(Boolean(p)));
    this.showOutputs();
  }

  showOutputs() {
    for (const q of this.programs) {
      q.out.el.hidden = q !== this.current && q !== this.pinned;
      q.out.el.classList.toggle('pinned', q === this.pinned);
    }
    this.outputs.classList.toggle('split', Boolean(this.pinned) && this.pinned !== this.current);
  }

  /** Puts the picked program and its arguments in the page's address. */
  remember() {
    const p = this.current;
    if (!p) return;
    const args = p.argsText.trim();
    setUrlParams({ py: p.name, pyargs: args === (p.meta.args || []).join(' ') ? null : args });
  }

  /** The gateway answers again: loads what could not be loaded while it was away. */
  async gatewayBack() {
    if (this.engine.dataset.state === 'failed') this.warm();
    if (this.listFailed) {
      for (const meta of await this.fetchList()) if (!this.byName(meta.name)) this.add(meta, null);
      const p = this.current;
      this.notice.hidden = !(p?.notice || this.loadNotice);
      this.notice.textContent = p?.notice || this.loadNotice || '';
    }
    for (const p of this.programs) {
      if (!p.sourceFailed) continue;
      p.sourceFailed = false;
      p.original = null;
      p.state = null;
      if (p === this.current) {
        this.shown = null;
        await this.select(p.name);
      }
    }
  }

  // Shows whether an interpreter is ready for the next Run: every run
  // takes the one loaded in advance, and the runtime loads the next.
  warm() {
    const ticket = (this.warmTicket = (this.warmTicket || 0) + 1);
    const show = (state, text, title = '') => {
      if (ticket !== this.warmTicket) return;
      this.engine.dataset.state = state;
      this.engine.textContent = text;
      this.engine.title = title;
    };
    show('loading', 'Python: loading…', 'Loading an interpreter for the next run');
    this.runtime.warm().then(
      (ready) => show('ready', `Python ${ready?.python || ''} ready`.replace('  ', ' '), 'An interpreter is ready for the next run'),
      (err) => show('failed', 'Python failed to load', err.message));
  }

  add(meta, source, { first = false } = {}) {
    const p = {
      meta,
      name: meta.name,
      title: meta.title || meta.name,
      original: source, // the example as shipped; null until fetched
      state: null, // the editor state while another program is shown
      argsText: (meta.args || []).join(' '),
      status: 'idle',
      result: null,
      run: null,
      runs: 0,
      waiting: false,
      record: null,
      tab: h('button', { type: 'button', class: 'py-tab', role: 'tab', id: `py-tab-${meta.name}`, 'aria-controls': 'py-tabpanel', 'aria-selected': 'false', dataset: { program: meta.name, status: 'idle' }, title: meta.description || '' },
        h('span', { class: 'ex-dot', 'aria-hidden': 'true' }), meta.title || meta.name),
    };
    p.out = new RunOutput({ name: p.name, label: p.title, filename: FILENAME, onLine: (n) => this.goToLine(p, n) });
    p.out.el.dataset.title = p.title;
    p.tab.addEventListener('click', () => this.select(p.name).then(() => this.remember()));
    if (first) {
      this.programs.unshift(p);
      this.tabs.prepend(p.tab);
    } else {
      this.programs.push(p);
      this.tabs.append(p.tab);
    }
    this.outputs.append(p.out.el);
    p.out.system('Output appears here when you run the program.');
    return p;
  }

  byName(name) {
    return this.programs.find((p) => p.name === name) || null;
  }

  tabKey(e) {
    if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
    const i = this.programs.indexOf(this.current);
    const next = this.programs[(i + (e.key === 'ArrowRight' ? 1 : this.programs.length - 1)) % this.programs.length];
    this.select(next.name).then(() => this.remember());
    next.tab.focus();
    e.preventDefault();
  }

  async select(name) {
    const p = this.byName(name);
    if (!p) return;
    // Keeps the shown program's edits (and undo history), also when it is picked again.
    if (this.shown) this.shown.state = this.editor.saveState();
    this.shown = null;
    this.current = p;
    for (const q of this.programs) {
      q.tab.setAttribute('aria-selected', String(q === p));
      q.tab.tabIndex = q === p ? 0 : -1;
    }
    this.showOutputs();
    this.tabPanel.setAttribute('aria-labelledby', p.tab.id);
    this.title.textContent = p.title;
    this.file.textContent = p.meta.source ? `examples/python/${p.meta.source}` : FILENAME;
    this.desc.textContent = p.meta.description || '';
    p.out.scrollToEnd();
    this.notice.hidden = !(p.notice || this.loadNotice);
    this.notice.textContent = p.notice || this.loadNotice || '';
    this.args.value = p.argsText;
    this.shareBox.hidden = true;
    if (p.state) {
      this.editor.restoreState(p.state);
    } else {
      if (p.original === null) {
        this.editor.setSource('# loading…');
        p.original = await this.fetchSource(p);
        if (this.current !== p) return;
      }
      // An example opens at its code; the learner's own (or shared) code at its top.
      if (p.meta.source && !p.sourceFailed) this.editor.setSourceAtBody(p.original);
      else this.editor.setSource(p.original);
      p.state = this.editor.saveState();
    }
    this.shown = p;
    // index.json says what the arguments are ("[port]").
    this.args.placeholder = p.meta.usage || 'no arguments';
    this.args.title = p.meta.usage ? `Arguments: ${p.meta.usage} (sys.argv[1:])` : 'Arguments for sys.argv[1:]';
    this.refresh();
  }

  async fetchSource(p) {
    try {
      const res = await fetch(new URL(`examples/python/${p.meta.source}`, document.baseURI));
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      return await res.text();
    } catch (err) {
      // Fetched again when the gateway is back (gatewayBack).
      p.sourceFailed = true;
      return this.gatewayDown()
        ? `# The source of ${p.meta.source} loads when the gateway answers again.\n`
        : `# The source of ${p.meta.source} could not be loaded: ${err.message}\n`;
    }
  }

  /** The text of program p: the editor's when p is shown. */
  sourceOf(p) {
    if (p === this.shown) return this.editor.text;
    return p.state ? p.state.doc.toString() : p.original || '';
  }

  goToLine(p, n) {
    if (this.current !== p) this.select(p.name).then(() => this.editor.goToLine(n));
    else this.editor.goToLine(n);
  }

  // --- state shown ----------------------------------------------------------

  refresh() {
    const p = this.current;
    if (!p) return;
    const busy = BUSY.has(p.status);
    this.runBtn.disabled = busy;
    this.stopBtn.disabled = !(p.status === 'starting' || p.status === 'running');
    this.args.disabled = busy;
    this.status.textContent = statusText(p);
    this.status.title = statusText(p);
    this.status.dataset.status = tabStatus(p);
    const running = p.status === 'running';
    this.stdinForm.dataset.waiting = String(running && p.waiting);
    this.stdin.disabled = !running;
    for (const b of this.stdinForm.querySelectorAll('button')) b.disabled = !running;
    this.stdin.placeholder = running && p.waiting ? 'input() is waiting: type a line and press Enter'
      : running ? 'a line for input()' : 'lines for input(), while the program runs';
    const hint = hintFor(p.meta.hint, p.runArgs);
    this.hintBox.hidden = !(hint && running);
    if (hint && running) {
      this.hintBox.replaceChildren(
        h('span', { class: 'py-hint-label' }, 'Talk to it from a terminal:'),
        h('code', { class: 'py-hint-cmd' }, hint),
        copyButton(hint));
    }
    this.refreshReset();
  }

  refreshReset() {
    const p = this.current;
    this.resetBtn.hidden = !p || !p.meta.source;
    this.resetBtn.disabled = !p || p.original === null || this.editor.text === p.original;
  }

  setStatus(p, status, extra = {}) {
    p.status = status;
    Object.assign(p, extra);
    p.tab.dataset.status = tabStatus(p);
    if (p === this.current) this.refresh();
    this.onRunningChange();
  }

  runningCount() {
    return this.programs.filter((p) => BUSY.has(p.status)).length;
  }

  // --- running --------------------------------------------------------------

  async run(name = this.current?.name) {
    const p = this.byName(name);
    if (!p || BUSY.has(p.status)) return;
    const source = this.sourceOf(p);
    const argv = splitArgs(p === this.current ? this.args.value : p.argsText);
    p.runArgs = argv;
    p.runs += 1;
    p.out.clear();
    p.out.system(`$ python ${FILENAME}${argv.length ? ` ${argv.join(' ')}` : ''}`);
    this.setStatus(p, 'starting', { result: null, waiting: false, stopWanted: false, record: null, shownDenials: 0 });
    if (this.gatewayDown()) {
      p.out.note(this.unreachable());
      this.finish(p, { status: null, reason: 'failed', message: 'the gateway is not answering' });
      return;
    }
    if (this.engine.dataset.state !== 'ready') p.out.system('loading Python…');

    let run;
    this.starting = p;
    try {
      const started = this.runtime.start({ source, filename: FILENAME, argv });
      this.starting = null;
      run = await started;
    } catch (err) {
      this.starting = null;
      const message = err?.message || String(err);
      p.out.note(this.startFailure(err));
      this.finish(p, { status: null, reason: 'failed', message });
      // A failed interpreter is not kept: load a new one for the next Run.
      if (this.engine.dataset.state === 'failed') this.warm();
      return;
    }
    p.run = run;
    this.warm();
    this.setStatus(p, p.stopWanted ? 'stopping' : 'running');
    run.addEventListener('stdout', (e) => p.out.write('out', e.detail.text));
    run.addEventListener('stderr', (e) => {
      p.out.write('err', e.detail.text);
      this.explainDenial(p);
    });
    run.addEventListener('inputwait', (e) => {
      p.waiting = Boolean(e.detail?.waiting);
      p.tab.dataset.waiting = String(p.waiting);
      if (p === this.current) {
        this.refresh();
        // After Run, the next thing to do is answer input().
        if (p.waiting && (document.activeElement === this.runBtn || document.activeElement === document.body)) this.stdin.focus();
      }
    });
    run.addEventListener('exit', (e) => this.finish(p, e.detail));
    if (p.stopWanted) run.stop();
  }

  // The runtime opens each run's session from inside start(): the program
  // starting is known then, and its session is recorded for the views as
  // soon as it is open, before its first messages are delivered.
  async openRunSession() {
    const p = this.starting;
    const session = await this.openSession();
    if (p) p.record = this.track(session, p.runs > 1 ? `${p.title} #${p.runs}` : p.title);
    return session;
  }

  stop(name = this.current?.name) {
    const p = this.byName(name);
    if (!p) return;
    if (p.status === 'starting') {
      p.stopWanted = true;
      this.setStatus(p, 'stopping');
    } else if (p.status === 'running') {
      this.setStatus(p, 'stopping');
      p.run.stop();
    }
  }

  finish(p, { status, reason, message }) {
    if (!BUSY.has(p.status) && p.result) return;
    p.run = null;
    p.waiting = false;
    p.tab.dataset.waiting = 'false';
    const result = { status, reason, message };
    this.setStatus(p, 'done', { result });
    p.out.system(statusText(p), reason === 'failed' ? 'fail' : 'end');
    this.explainDenial(p);
  }

  // Why a run could not start: its interpreter did not load, or the
  // gateway did not open its session (a bad token is a denial like any).
  startFailure(err) {
    if (this.gatewayDown()) return this.unreachable();
    const { code, message } = errorInfo(err);
    if (code === 'EACCES') return errorCallout(err, { context: 'opening the run’s gateway session', policy: this.getInfo()?.policy });
    const gateway = err instanceof Error && err.name === 'SockgateError';
    return h('div', { class: 'callout callout-error', role: 'alert', dataset: { code } },
      h('div', { class: 'callout-title' },
        h('code', { class: 'errcode' }, code),
        h('span', {}, gateway ? 'The gateway did not open a session for this run' : 'Python could not start'),
        h('span', { class: 'callout-context' }, gateway ? 'opening the run’s gateway session' : 'loading the interpreter')),
      h('div', { class: 'callout-msg' }, message),
      h('div', { class: 'callout-tip' }, gateway
        ? 'Every run needs a session of its own. The gateway may have as many as it allows (see Limits & rules at the top), or be gone: stop another program or reconnect, then Run again.'
        : 'Reload the page to load it again.'));
  }

  unreachable() {
    return unreachableCallout({
      context: 'starting the run',
      message: 'The gateway serves Python and opens the program’s sockets, so nothing can run until it answers again.',
    });
  }

  // A PermissionError or an address in use from a socket call, explained
  // as the console does: the gateway's own reply, recorded with the
  // session, names the rule and the flag that would allow it, or who holds
  // the port when it is the console.
  explainDenial(p) {
    const denials = p.record?.denials || [];
    if (denials.length <= p.shownDenials) return;
    const text = p.out.text;
    const shown = {
      EACCES: /PermissionError|EACCES|Permission denied/.test(text),
      EADDRINUSE: /Address already in use|EADDRINUSE|Address in use/.test(text),
    };
    if (!shown.EACCES && !shown.EADDRINUSE) return;
    for (const d of denials.slice(p.shownDenials)) {
      if (!shown[d.code]) continue;
      const box = errorCallout({ code: d.code, message: d.message }, { context: contextOf(d.request), policy: this.getInfo()?.policy });
      const holder = d.code === 'EADDRINUSE' && d.request ? this.portHolder(d.request.port, d.request.op === 'bind' ? 'udp' : 'tcp') : null;
      if (holder) box.append(h('div', { class: 'callout-tip callout-holder' }, `That port is held by ${holder}.`));
      p.out.note(box);
    }
    p.shownDenials = denials.length;
  }

  // --- input() --------------------------------------------------------------

  sendInput() {
    const p = this.current;
    if (!p?.run || p.status !== 'running') return;
    const line = this.stdin.value;
    this.stdin.value = '';
    p.out.write('in', `${line}\n`);
    p.run.input(line);
  }

  endInput() {
    const p = this.current;
    if (!p?.run || p.status !== 'running') return;
    p.out.write('in', '^D\n');
    p.run.closeInput();
  }

  // --- reset, share, shared links -------------------------------------------

  reset() {
    const p = this.current;
    if (!p?.meta.source || p.original === null) return;
    this.editor.setSource(p.original);
    p.state = this.editor.saveState();
    this.shown = p;
    this.refreshReset();
  }

  async share() {
    const p = this.current;
    if (!p) return;
    const url = shareUrl(this.editor.text, { args: this.args.value.trim() });
    // The address bar shows the link too; no 'hashchange' follows replaceState.
    history.replaceState(null, '', url);
    const copied = await copyText(url);
    const field = h('input', { class: 'py-share-link', type: 'text', readonly: true, value: url, 'aria-label': 'Share link', onfocus: (e) => e.target.select() });
    this.shareBox.replaceChildren(
      h('span', { class: 'py-share-label' }, copied ? 'Link copied:' : 'Copy this link:'),
      field,
      copyButton(url),
      h('span', { class: 'py-share-note' }, 'It opens this code in the editor. Nothing runs until Run is pressed.'));
    this.shareBox.hidden = false;
  }

  /** Opens the code of a #py= link in the "Shared code" program. It never runs it. */
  openShared() {
    const shared = readShare();
    if (!shared) return;
    let p = this.byName('shared');
    if (p && BUSY.has(p.status)) return;
    p ??= this.add({ name: 'shared', title: 'Shared code', description: 'Code from the link you opened.', source: null }, '', { first: true });
    if (shared.error) {
      p.original = '';
      p.notice = `This link’s code could not be read (${shared.error}).`;
    } else {
      p.original = shared.source;
      p.argsText = shared.args;
      p.notice = 'This code came from a link. Read it before you run it: nothing runs until you press Run.';
    }
    p.state = null;
    if (this.shown === p) this.shown = null;
    p.out.clear();
    p.out.system('Output appears here when you run the program.');
    this.select('shared');
  }
}

function tabStatus(p) {
  if (p.status !== 'done') return p.status;
  return { exit: 'exited', stopped: 'stopped', killed: 'stopped' }[p.result?.reason] || 'failed';
}

/** The status in words: "running", "exited with status 0", "stopped by you", "failed: …". */
export function statusText(p) {
  switch (p.status) {
    case 'idle': return 'not running';
    case 'starting': return 'starting…';
    case 'running': return p.waiting ? 'waiting for input' : 'running';
    case 'stopping': return 'stopping…';
    default: {
      const r = p.result || {};
      if (r.reason === 'exit') return `exited with status ${r.status}`;
      if (r.reason === 'stopped' || r.reason === 'killed') return 'stopped by you';
      return `failed: ${r.message || 'unknown error'}`;
    }
  }
}

/** Arguments as a shell would split them, quotes included: 'a "b c"' → ['a', 'b c']. */
export function splitArgs(text) {
  return [...String(text).matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

// "bind 127.0.0.1:80" from the request the gateway denied.
function contextOf(req) {
  if (!req?.op) return 'a socket call';
  const where = req.port !== undefined ? ` ${req.host || '127.0.0.1'}:${req.port}` : '';
  return `${req.op}${where}`;
}
