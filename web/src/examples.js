// The examples panel: pick one of the C++ examples compiled to wasm, read
// its source, run it, watch its output, stop it. Every running example has
// its own gateway session, so several can run at once (a server and a
// client, say). That session lives inside the program's wasm module; the
// page watches its WebSocket (wiretap.js) to record it for the views.

import { h, copyButton } from './format.js';
import { SourceView } from './editor.js';
import { runUrl, watchRun } from './wiretap.js';
import { errorCallout, unreachableCallout } from './errors.js';
import { runFailureWatcher } from './run_failures.js';
import { fetchHealth } from './info.js';
import { exportMenu, fileStamp } from './export_menu.js';
import { urlParam, setUrlParams } from './url_state.js';

let runKeys = 0;

const STATUS_TEXT = {
  idle: 'not running',
  loading: 'loading…',
  running: 'running',
  stopping: 'stopping…',
  exited: 'exited',
  stopped: 'stopped by you',
  failed: 'failed',
};

export class ExamplesPanel {
  /**
   * track(label): a SessionRecord (sessions.js) for a run's session, or
   * null. policy(): the gateway's /api/info policy, to name its rules in an
   * explanation. portHolder(port, proto): who else holds a port, in words,
   * or null. gatewayDown(): whether the gateway is known not to answer now.
   */
  constructor(root, { wsUrl, token = () => null, track = () => null, onRunningChange = () => {}, policy = () => null, portHolder = () => null, gatewayDown = () => false } = {}) {
    this.root = root;
    this.gatewayDown = gatewayDown;
    this.policy = policy;
    this.portHolder = portHolder;
    this.wsUrl = wsUrl;
    this.token = token;
    this.track = track;
    this.onRunningChange = onRunningChange;
    this.examples = [];
    this.current = null;

    this.tabs = h('div', { class: 'ex-tabs', role: 'tablist', 'aria-label': 'Examples' });
    this.title = h('h3', { class: 'ex-title' });
    this.desc = h('p', { class: 'ex-desc' });
    this.file = h('span', { class: 'ex-file' });
    this.args = h('input', { class: 'ex-args', type: 'text', spellcheck: 'false', 'aria-label': 'Program arguments', placeholder: 'no arguments' });
    this.runBtn = h('button', { type: 'button', class: 'btn btn-primary btn-run', title: 'Run (Ctrl+Enter)' }, '▶ Run');
    this.stopBtn = h('button', { type: 'button', class: 'btn btn-stop', title: 'Stop (Ctrl+.)', disabled: true }, '■ Stop');
    this.status = h('span', { class: 'ex-status status-idle', role: 'status' }, STATUS_TEXT.idle);
    this.hintBox = h('div', { class: 'ex-hint', hidden: true });
    this.editorHost = h('div', { class: 'ex-editor' });
    // Side by side and Export sit in the output's corner, as a code block's
    // copy button does.
    this.pinBtn = h('button', { type: 'button', class: 'btn btn-small pin-toggle', 'aria-pressed': 'false', title: 'Keep this output in view beside the next program you pick: a server’s and its client’s side by side' }, 'Side by side');
    this.pinBtn.addEventListener('click', () => this.setPinned(this.pinned ? null : this.current));
    this.outputs = h('div', { class: 'ex-outputs' },
      h('div', { class: 'out-tools' }, this.pinBtn,
        exportMenu({ name: () => `${this.current?.meta.name ?? 'example'}-output-${fileStamp()}`, records: () => this.outputRecords(this.current) })));
    this.gatewayLoad = h('span', { class: 'panel-meta ex-load', title: 'From the gateway’s /healthz' });
    this.runBtn.addEventListener('click', () => this.run());
    this.args.addEventListener('input', () => this.remember());
    this.stopBtn.addEventListener('click', () => this.stop());

    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Examples'),
        h('span', { class: 'panel-sub' }, 'C++ compiled to WebAssembly · each run opens its own session'),
        this.gatewayLoad),
      this.tabs,
      this.tabPanel = h('div', { class: 'tab-panel', role: 'tabpanel', id: 'ex-tabpanel' },
        h('div', { class: 'ex-info' },
          h('div', { class: 'ex-heading' }, this.title, this.file),
          this.desc),
        h('div', { class: 'ex-split' },
          this.editorHost,
          h('div', { class: 'ex-runbar' },
            this.runBtn, this.stopBtn, this.status,
            h('label', { class: 'ex-args-label' }, h('span', {}, 'args'), this.args)),
          this.hintBox,
          this.outputs)));
    this.editor = new SourceView(this.editorHost);
  }

  async load() {
    let list;
    try {
      const res = await fetch(new URL('examples/index.json', document.baseURI), { cache: 'no-cache' });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      list = await res.json();
      if (!Array.isArray(list) || !list.length) throw new Error('empty list');
    } catch (err) {
      this.tabs.replaceChildren();
      this.root.classList.add('ex-missing');
      this.runBtn.disabled = true;
      this.listFailed = true;
      if (this.gatewayDown()) {
        this.title.textContent = 'Examples not loaded yet';
        this.desc.textContent = 'The gateway serves the example programs and is not answering now; they load when it is back.';
        return;
      }
      this.title.textContent = 'No examples here';
      this.desc.replaceChildren('The example programs were not found in this web root (',
        h('code', {}, 'examples/index.json'), `: ${err.message}). The console still works.`);
      return;
    }
    this.listFailed = false;
    this.root.classList.remove('ex-missing');
    this.examples = list.map((meta) => ({
      meta,
      source: null,
      run: null,
      status: 'idle',
      out: h('div', { class: 'ex-output', role: 'log', 'aria-label': `Output of ${meta.name}`, tabindex: '0', hidden: true, dataset: { example: meta.name, title: meta.title || meta.name } }),
      tab: null,
    }));
    for (const ex of this.examples) {
      ex.tab = h('button', { type: 'button', class: 'ex-tab', role: 'tab', id: `ex-tab-${ex.meta.name}`, 'aria-controls': 'ex-tabpanel', 'aria-selected': 'false', dataset: { example: ex.meta.name }, title: ex.meta.description || '' },
        h('span', { class: 'ex-dot', 'aria-hidden': 'true' }), ex.meta.title || ex.meta.name);
      ex.tab.addEventListener('click', () => this.select(ex.meta.name).then(() => this.remember()));
      this.tabs.append(ex.tab);
      this.outputs.append(ex.out);
      this.system(ex, 'Output appears here when you run the program.');
    }
    this.tabs.addEventListener('keydown', (e) => {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      const i = this.examples.indexOf(this.current);
      const next = this.examples[(i + (e.key === 'ArrowRight' ? 1 : this.examples.length - 1)) % this.examples.length];
      this.select(next.meta.name).then(() => this.remember());
      next.tab.focus();
      e.preventDefault();
    });
    const wanted = this.byName(urlParam('example'));
    if (wanted && urlParam('args') !== null) wanted.argsText = urlParam('args');
    await this.select(wanted ? wanted.meta.name : this.examples[0].meta.name);
  }

  byName(name) {
    return this.examples.find((e) => e.meta.name === name) || null;
  }

  async select(name) {
    const ex = this.byName(name);
    if (!ex) return;
    if (this.current && this.current !== ex) this.current.argsText = this.args.value;
    this.current = ex;
    for (const e of this.examples) {
      e.tab.setAttribute('aria-selected', String(e === ex));
      e.tab.tabIndex = e === ex ? 0 : -1;
    }
    this.showOutputs();
    this.tabPanel.setAttribute('aria-labelledby', ex.tab.id);
    this.title.textContent = ex.meta.title || ex.meta.name;
    this.desc.textContent = ex.meta.description || '';
    this.file.textContent = ex.meta.source || '';
    this.args.value = ex.argsText ?? (ex.meta.args || []).join(' ');
    this.args.placeholder = 'no arguments';
    this.refresh();
    let text = ex.source;
    if (text === null) {
      this.editor.setSource('// loading…');
      try {
        const res = await fetch(new URL(`examples/${ex.meta.source || `src/${ex.meta.name}.cpp`}`, document.baseURI));
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        text = ex.source = await res.text();
      } catch (err) {
        // Not kept: the next look at it, or the gateway's return, fetches it again.
        text = this.gatewayDown()
          ? `// The source of ${ex.meta.name} loads when the gateway answers again.`
          : `// The source of ${ex.meta.name} could not be loaded: ${err.message}`;
      }
    }
    if (this.current === ex) {
      if (ex.source === null) this.editor.setSource(text);
      else this.editor.setSourceAtBody(text);
      // "// Usage: tcp_server [host] [port]" in the source tells what the
      // arguments are.
      const usage = /Usage:\s*\S+\s+(.+)/.exec(text)?.[1]?.trim();
      this.args.placeholder = usage || 'no arguments';
      this.args.title = usage ? `Arguments: ${usage}` : '';
    }
  }

  /** Keeps ex's output in view beside the selected example's (null: one output). */
  setPinned(ex) {
    this.pinned = ex;
    this.pinBtn.setAttribute('aria-pressed', String(Boolean(ex)));
    this.showOutputs();
  }

  showOutputs() {
    for (const e of this.examples) {
      e.out.hidden = e !== this.current && e !== this.pinned;
      e.out.classList.toggle('pinned', e === this.pinned);
    }
    this.outputs.classList.toggle('split', Boolean(this.pinned) && this.pinned !== this.current);
  }

  /** Puts the picked example and its arguments in the page's address. */
  remember() {
    const ex = this.current;
    if (!ex) return;
    const args = this.args.value.trim();
    setUrlParams({ example: ex.meta.name, args: args === (ex.meta.args || []).join(' ') ? null : args });
  }

  /** The gateway answers again: loads what could not be loaded while it was away. */
  async gatewayBack() {
    if (this.listFailed) await this.load();
    else if (this.current && this.current.source === null) await this.select(this.current.meta.name);
  }

  /** Updates buttons, status and hint for the selected example. */
  refresh() {
    const ex = this.current;
    if (!ex) return;
    const busy = ex.status === 'loading' || ex.status === 'running' || ex.status === 'stopping';
    this.runBtn.disabled = busy;
    this.stopBtn.disabled = !(ex.status === 'running' || ex.status === 'loading');
    this.args.disabled = busy;
    let text = STATUS_TEXT[ex.status];
    if (ex.status === 'exited' && ex.exitCode !== undefined && ex.exitCode !== null) text += ` · code ${ex.exitCode}`;
    if (ex.status === 'failed' && ex.failure) text += ` · ${ex.failure}`;
    this.status.textContent = text;
    this.status.className = `ex-status status-${ex.status}`;
    this.status.dataset.status = ex.status;
    for (const e of this.examples) e.tab.dataset.status = e.status;

    const hint = hintFor(ex.meta.hint, ex.runArgs);
    if (hint && ex.status === 'running') {
      this.hintBox.hidden = false;
      this.hintBox.replaceChildren(
        h('span', { class: 'ex-hint-label' }, 'Talk to it from a terminal:'),
        h('code', { class: 'ex-hint-cmd' }, hint),
        copyButton(hint));
    } else {
      this.hintBox.hidden = true;
    }
    this.onRunningChange(this.examples.filter((e) => e.status === 'running' || e.status === 'loading' || e.status === 'stopping').length);
  }

  setStatus(ex, status, extra = {}) {
    ex.status = status;
    Object.assign(ex, extra);
    if (ex === this.current) this.refresh();
    else for (const e of this.examples) e.tab.dataset.status = e.status;
    this.onRunningChange(this.examples.filter((e) => e.status === 'running' || e.status === 'loading' || e.status === 'stopping').length);
  }

  // --- output -------------------------------------------------------------

  write(ex, kind, text) {
    const out = ex.out;
    const stick = out.scrollHeight - out.scrollTop - out.clientHeight < 24;
    const line = h('div', { class: `ol ol-${kind}`, dataset: { time: String(Date.now()) } }, text);
    out.append(line);
    if (kind === 'err') this.explainFailures(ex);
    while (out.childElementCount > 3000) out.firstElementChild.remove();
    if (stick) out.scrollTop = out.scrollHeight;
  }

  /** A run's output, for export: [{time, stream, text}]; stream is out, err or sys. */
  outputRecords(ex) {
    if (!ex) return [];
    return [...ex.out.querySelectorAll('.ol')].map((el) => ({
      time: Number(el.dataset.time) || null,
      stream: [...el.classList].find((c) => c.startsWith('ol-'))?.slice(3) ?? 'out',
      text: el.textContent,
    }));
  }

  // Shows the explanations waiting for the program's report of its failure.
  explainFailures(ex) {
    if (!ex.explanations?.length) return;
    ex.out.append(...ex.explanations.map((box) => h('div', { class: 'ol ol-explain' }, box)));
    ex.explanations = [];
  }

  system(ex, text) {
    this.write(ex, 'sys', text);
  }

  // --- running ------------------------------------------------------------

  // The example programs' module (one for all of them), fetched and
  // compiled once for every run of every program. After a failure the next
  // run asks again, under a new URL: the browser may remember the failure of
  // the old one.
  programs() {
    this.programsLoad ??= (async () => {
      const retry = this.importFailures ? `?retry=${this.importFailures}` : '';
      const at = (file) => new URL(`examples/${file}${retry}`, document.baseURI).href;
      const [{ default: factory }, compiled] = await Promise.all([
        import(/* @vite-ignore */ at('programs.mjs')),
        WebAssembly.compileStreaming(fetch(at('programs.wasm'))),
      ]);
      if (typeof factory !== 'function') throw new Error('the module has no default export factory');
      return { factory, compiled };
    })();
    return this.programsLoad;
  }

  async run(name = this.current?.meta.name) {
    const ex = this.byName(name);
    if (!ex || ['loading', 'running', 'stopping'].includes(ex.status)) return;
    const args = (ex === this.current ? this.args.value : ex.argsText ?? (ex.meta.args || []).join(' ')).trim();
    const argv = args ? args.split(/\s+/) : [];
    ex.runArgs = argv;
    ex.out.replaceChildren();
    const runId = (ex.runId || 0) + 1;
    ex.runId = runId;
    const started = performance.now();
    this.setStatus(ex, 'loading', { exitCode: null, failure: null, mod: null, startedAt: started });
    this.system(ex, `$ ${ex.meta.name}${argv.length ? ` ${argv.join(' ')}` : ''}`);

    const finish = (status, code, note) => {
      if (ex.runId !== runId || ['exited', 'stopped', 'failed'].includes(ex.status)) return;
      clearTimeout(ex.stopTimer);
      const stopping = ex.status === 'stopping';
      const final = status === 'failed' ? 'failed' : stopping ? 'stopped' : 'exited';
      const secs = ((performance.now() - started) / 1000).toFixed(2);
      this.explainFailures(ex);
      // A stopped program ends as after Ctrl+C (status 130): that is the
      // user's doing, so it is said as such, not as an exit code.
      const how = final === 'stopped' ? 'stopped by you' : `exited${code !== undefined && code !== null ? ` with code ${code}` : ''}`;
      this.system(ex, note || `${how} after ${secs} s`);
      ex.mod = null;
      ex.endRecord?.();
      this.setStatus(ex, final, { exitCode: code ?? null });
    };

    const unreachable = () => {
      ex.out.append(h('div', { class: 'ol ol-explain' }, unreachableCallout({
        context: `running ${ex.meta.name}`,
        message: 'The gateway serves the programs and opens their sockets, so nothing can run until it answers again.',
      })));
      this.setStatus(ex, 'failed', { failure: 'gateway unreachable' });
    };
    if (this.gatewayDown()) {
      unreachable();
      return;
    }
    let factory;
    let compiled;
    try {
      ({ factory, compiled } = await this.programs());
    } catch (err) {
      this.programsLoad = null;
      this.importFailures = (this.importFailures || 0) + 1;
      if (this.gatewayDown() || !(await fetchHealth().then(() => true, () => false))) {
        unreachable();
        return;
      }
      this.write(ex, 'err', `could not load the example programs (programs.mjs): ${err.message}`);
      this.setStatus(ex, 'failed', { failure: 'not loaded' });
      return;
    }
    if (ex.runId !== runId) return;
    // The run's WebSocket carries a key in its URL, so the page can record it.
    const key = `cpp-${++runKeys}`;
    ex.runs = (ex.runs || 0) + 1;
    const title = ex.meta.title || ex.meta.name;
    const record = this.track(ex.runs > 1 ? `${title} #${ex.runs}` : title);
    // The gateway's refusals, explained under the program's own report of
    // them (its next line on stderr, or its end).
    ex.explanations = [];
    const explain = runFailureWatcher((error, context, request) => {
      const box = errorCallout(error, { context, policy: this.policy() });
      const holder = error.code === 'EADDRINUSE' && request ? this.portHolder(request.port, request.proto) : null;
      if (holder) box.append(h('div', { class: 'callout-tip callout-holder' }, `That port is held by ${holder}.`));
      ex.explanations.push(box);
    });
    const unwatch = watchRun(key, {
      wire: (d) => {
        record?.feed(d);
        explain(d);
      },
      closed: (c) => record?.end(c),
    });
    ex.endRecord = () => {
      // Its WebSocket closes just after the program ends; a program that
      // opened none has nothing to wait for.
      setTimeout(() => { unwatch(); record?.end(); }, record?.status === 'opening' ? 0 : 2000);
    };
    const options = {
      thisProgram: ex.meta.name,
      // Every run is a new instance of the module compiled once.
      instantiateWasm: (imports, receive) => {
        WebAssembly.instantiate(compiled, imports).then((instance) => receive(instance, compiled),
          (err) => finish('failed', null, `could not start: ${err.message}`));
        return {};
      },
      sockgateUrl: runUrl(this.wsUrl(), key),
      print: (line) => this.write(ex, 'out', line),
      printErr: (line) => this.write(ex, 'err', line),
      arguments: argv,
      onExit: (code) => finish('exited', code),
      onAbort: (what) => finish('failed', null, `aborted: ${what}`),
    };
    const token = this.token();
    if (token) options.sockgateToken = token;
    // Running before the factory resolves: main starts on instantiation.
    this.setStatus(ex, 'running');
    try {
      const mod = await factory(options);
      if (ex.runId !== runId) return;
      ex.mod = mod;
      if (ex.status === 'stopping' && typeof mod.sockgateStop === 'function') mod.sockgateStop();
    } catch (err) {
      // Emscripten reports exit() during startup by throwing ExitStatus.
      if (err && (err.name === 'ExitStatus' || typeof err.status === 'number')) finish('exited', err.status);
      else {
        this.write(ex, 'err', String(err?.message || err));
        finish('failed', null, 'failed to start');
      }
    }
  }

  stop(name = this.current?.meta.name) {
    const ex = this.byName(name);
    if (!ex || !(ex.status === 'running' || ex.status === 'loading')) return;
    this.setStatus(ex, 'stopping');
    this.system(ex, 'stopping: closing its gateway session …');
    try {
      if (ex.mod && typeof ex.mod.sockgateStop === 'function') ex.mod.sockgateStop();
    } catch (err) {
      this.write(ex, 'err', `sockgateStop: ${err.message}`);
    }
    const runId = ex.runId;
    // A program that does not exit on its own after its session ended is
    // abandoned: its sockets are gone with the session anyway.
    ex.stopTimer = setTimeout(() => {
      if (ex.runId === runId && ex.status === 'stopping') {
        this.system(ex, 'stopped by you (the program made no socket call to end in; its session is closed)');
        ex.mod = null;
        ex.endRecord?.();
        this.setStatus(ex, 'stopped', { exitCode: null });
      }
    }, 4000);
  }

  runningCount() {
    return this.examples.filter((e) => ['loading', 'running', 'stopping'].includes(e.status)).length;
  }
}

/**
 * The hint of index.json, adjusted to the arguments of the run when they
 * name a host and port (as the examples' "[host] [port]" do):
 * "nc localhost 12345" with args "127.0.0.1 4000" → "nc 127.0.0.1 4000".
 */
export function hintFor(hint, args = []) {
  if (!hint || !args || !args.length) return hint || null;
  const port = [...args].reverse().find((a) => /^\d+$/.test(a));
  const host = args.find((a) => !/^\d+$/.test(a));
  let out = hint;
  if (port) out = out.replace(/\b\d{2,5}\b(?!.*\b\d{2,5}\b)/, port);
  if (host) out = out.replace(/\blocalhost\b/, host);
  return out;
}
