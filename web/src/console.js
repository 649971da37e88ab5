// The interactive console: netcat-style commands on the page's own gateway
// session, with history, Tab completion, a line-ending choice, and data
// shown per socket and direction as escaped text, hex, or both, each line
// with its time; the log can be copied or saved as text or JSON.

import { h, endpoint, size, bytesView, unescapeText, parseHex, sockBadge, atBottom, errorInfo, clock, escaped, toBytes } from './format.js';
import { exportMenu, fileStamp } from './export_menu.js';
import { ConsoleForms } from './console_forms.js';
import { COMMANDS, LINE_ENDINGS, parseCommand, findCommand, complete, CommandError } from './commands.js';
import { errorCallout } from './errors.js';

const HISTORY_KEY = 'sockgate.console.history';
const MAX_LINES = 2000;

export class Console {
  /** onCommand(line): called as a command starts (the page shows the console's session then). */
  constructor(root, { getInfo = () => null, onCommand = () => {} } = {}) {
    this.root = root;
    this.getInfo = getInfo;
    this.onCommand = onCommand;
    this.session = null;
    this.mode = 'text';
    this.follow = true;
    this.history = loadHistory();
    this.histPos = this.history.length;
    this.draft = '';

    this.out = h('div', { class: 'console-out', role: 'log', 'aria-live': 'polite', 'aria-label': 'Console output', tabindex: '0' });
    this.input = h('input', {
      class: 'console-input', type: 'text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
      'aria-label': 'Console command', placeholder: 'connect 127.0.0.1 9007   (help for commands, ↑ for history)',
    });
    this.hint = h('div', { class: 'console-hint', 'aria-live': 'polite' });
    this.ending = h('select', { class: 'select', title: 'Line ending appended by send and sendto', 'aria-label': 'Line ending' },
      ...Object.entries(LINE_ENDINGS).map(([k, v]) => h('option', { value: k }, v.label)));
    this.ending.value = localStorage.getItem('sockgate.console.ending') || 'lf';
    this.ending.addEventListener('change', () => localStorage.setItem('sockgate.console.ending', this.ending.value));
    this.modeBtns = {
      text: h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': 'true', onclick: () => this.setMode('text') }, 'text'),
      hex: h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': 'false', onclick: () => this.setMode('hex') }, 'hex'),
      both: h('button', { type: 'button', class: 'seg-btn', 'aria-pressed': 'false', title: 'Text and hex side by side', onclick: () => this.setMode('both') }, 'both'),
    };
    this.demoBtn = h('button', { type: 'button', class: 'btn btn-small btn-accent', title: 'Connect to the gateway’s demo TCP echo service' }, 'Echo service');
    this.demoBtn.addEventListener('click', () => {
      const demo = this.getInfo()?.demo;
      if (demo) this.run(`connect ${demo.host.includes(':') ? `[${demo.host}]` : demo.host} ${demo.port}`);
      else this.print('note', 'This gateway runs no demo echo service (started with --no-demo).');
    });

    this.forms = new ConsoleForms({
      run: (line) => this.run(line),
      sockets: () => (this.session && !this.session.closed ? this.session.sockets() : []),
      defaultPeer: () => this.getInfo()?.demo ?? null,
    });
    this.forms.el.id = 'console-forms';
    this.formsBtn = h('button', { type: 'button', class: 'btn btn-small forms-toggle', 'aria-expanded': 'false', 'aria-controls': 'console-forms', title: 'Open sockets and send saved messages with fields instead of commands' }, 'Forms');
    this.formsBtn.addEventListener('click', () => this.formsBtn.setAttribute('aria-expanded', String(this.forms.toggle())));

    const quick = (label, line, title) => h('button', {
      type: 'button', class: 'btn btn-small', title,
      onclick: () => this.fill(line),
    }, label);

    root.append(
      h('div', { class: 'panel-head' },
        h('h2', {}, 'Console'),
        h('span', { class: 'panel-sub' }, 'netcat-style, on this page’s session'),
        h('div', { class: 'panel-tools' },
          h('span', { class: 'seg', role: 'group', 'aria-label': 'Show data as' }, this.modeBtns.text, this.modeBtns.hex, this.modeBtns.both),
          exportMenu({ name: () => `sockgate-console-${fileStamp()}`, records: () => this.records() }),
          h('button', { type: 'button', class: 'btn btn-small', title: 'Clear the console (Ctrl+L)', onclick: () => this.clear() }, 'Clear'))),
      h('div', { class: 'console-bar' },
        this.demoBtn,
        quick('connect', 'connect ', 'connect HOST PORT'),
        quick('listen', 'listen 12345', 'listen [HOST] PORT'),
        quick('bind', 'bind', 'bind [HOST] [PORT] — a UDP socket'),
        quick('resolve', 'resolve localhost', 'resolve HOST'),
        quick('help', 'help', 'List the commands'),
        this.formsBtn),
      this.forms.el,
      this.out,
      h('form', { class: 'console-form', onsubmit: (e) => { e.preventDefault(); this.submit(); } },
        h('span', { class: 'prompt', 'aria-hidden': 'true' }, '›'),
        this.input,
        h('label', { class: 'ending' }, h('span', { class: 'ending-label' }, 'line end'), this.ending),
        h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Run')),
      this.hint);

    this.input.addEventListener('keydown', (e) => this.onKey(e));
    this.input.addEventListener('input', () => this.updateHint());
    this.out.addEventListener('scroll', () => { this.follow = atBottom(this.out); });
    this.out.addEventListener('click', (e) => {
      const chip = e.target.closest('[data-fill]');
      if (chip) this.fill(chip.dataset.fill);
    });

    this.handlers = {
      data: (e) => this.onData(e.detail),
      datagram: (e) => this.onDatagram(e.detail),
      accept: (e) => this.onAccept(e.detail),
      eof: (e) => this.line('event', sockBadge(e.detail.sock), ` peer finished sending (eof). Send more, or close ${e.detail.sock}.`),
      closed: (e) => this.onClosed(e.detail),
      error: (e) => this.onErrorEvent(e.detail),
      badinput: (e) => this.block('error', errorCallout(e.detail, { context: 'bad input' })),
    };
    this.updateHint();
  }

  attach(session) {
    this.detach();
    this.session = session;
    for (const [ev, fn] of Object.entries(this.handlers)) session.addEventListener(ev, fn);
  }

  detach() {
    if (!this.session) return;
    for (const [ev, fn] of Object.entries(this.handlers)) this.session.removeEventListener(ev, fn);
    this.session = null;
  }

  focus() {
    this.input.focus();
  }

  fill(text) {
    this.input.value = text;
    this.input.focus();
    this.input.setSelectionRange(text.length, text.length);
    this.updateHint();
  }

  setMode(mode) {
    this.mode = mode;
    for (const [k, b] of Object.entries(this.modeBtns)) b.setAttribute('aria-pressed', String(k === mode));
    for (const el of this.out.querySelectorAll('.data-bytes')) {
      if (el.bytes) el.replaceChildren(bytesView(el.bytes, mode));
    }
  }

  clear() {
    this.out.replaceChildren();
  }

  // --- output -------------------------------------------------------------

  /** A line of output, with its time; parts are nodes or strings. */
  line(kind, ...parts) {
    const stick = this.follow || atBottom(this.out);
    const now = Date.now();
    const el = h('div', { class: `cl cl-${kind}`, dataset: { time: String(now), kind } },
      // The space keeps copied text readable: "12:00:01.250 [3] accepted".
      h('time', { class: 'cl-time', dateTime: new Date(now).toISOString() }, clock(now)), ' ', ...parts);
    this.out.append(el);
    while (this.out.childElementCount > MAX_LINES) this.out.firstElementChild.remove();
    this.follow = stick;
    if (stick) this.out.scrollTop = this.out.scrollHeight;
    return el;
  }

  print(kind, text) {
    return this.line(kind, text);
  }

  block(kind, node) {
    return this.line(kind, node);
  }

  /** The log: [{time, kind, text}], data lines with sock, dir and bytes. */
  records() {
    return [...this.out.children].map((el) => {
      const text = [...el.childNodes].filter((n) => !n.classList?.contains('cl-time')).map((n) => n.textContent).join('').trim();
      const rec = { time: Number(el.dataset.time), kind: el.dataset.kind, text };
      const holder = el.querySelector('.data-bytes');
      if (holder?.bytes) {
        const b = toBytes(holder.bytes);
        Object.assign(rec, {
          sock: Number(el.dataset.sock), dir: el.dataset.dir, length: b.length,
          text: `[${el.dataset.sock}] ${el.dataset.dir === 'in' ? 'received' : 'sent'} ${b.length} B${el.dataset.peer ? ` ${el.dataset.peer}` : ''}: ${escaped(b, b.length)}`,
          hex: [...b].map((x) => x.toString(16).padStart(2, '0')).join(''),
        });
      }
      return rec;
    });
  }

  dataLine(sock, dir, bytes, extra = null) {
    const holder = h('span', { class: 'data-bytes' }, bytesView(bytes, this.mode));
    holder.bytes = bytes;
    const el = this.line(`data data-${dir}`,
      sockBadge(sock),
      h('span', { class: 'dir', title: dir === 'in' ? 'received' : 'sent' }, dir === 'in' ? '◂' : '▸'),
      h('span', { class: 'len' }, size(bytes.length)),
      extra ? h('span', { class: 'peer' }, extra) : null,
      holder);
    Object.assign(el.dataset, { sock: String(sock), dir, ...(extra ? { peer: extra } : {}) });
    return el;
  }

  chip(text) {
    return h('button', { type: 'button', class: 'chip', dataset: { fill: text }, title: 'Put in the console input' }, text);
  }

  welcome(sessionInfo) {
    const info = this.getInfo();
    const demo = info?.demo;
    if (demo) this.input.placeholder = `connect ${demo.host} ${demo.port}   (help lists the commands, ↑ recalls)`;
    this.line('ok', '● ', h('strong', {}, 'Connected'), ` to ${sessionInfo?.server || 'the gateway'}, session `,
      h('code', {}, sessionInfo?.session || '?'), '.');
    const tries = [];
    if (demo) tries.push(this.chip(`connect ${demo.host} ${demo.port}`), ' (the demo echo service), then ', this.chip('send 1 hello'));
    tries.push(demo ? ', or ' : '', this.chip('listen 12345'), ', ', this.chip('bind'), ', ', this.chip('help'), '.');
    this.line('note', 'Try ', ...tries);
  }

  // --- session events -----------------------------------------------------

  onData({ sock, bytes }) {
    this.dataLine(sock, 'in', bytes);
  }

  onDatagram({ sock, from, bytes }) {
    this.dataLine(sock, 'in', bytes, `from ${endpoint(from)}`);
  }

  onAccept({ listener, sock, remote, local }) {
    this.line('event', sockBadge(sock), ` accepted on listener `, sockBadge(listener), ` from ${endpoint(remote)} to ${endpoint(local)}. `,
      this.chip(`send ${sock} `));
  }

  onClosed({ sock, error }) {
    if (error) {
      this.line('event', sockBadge(sock), ' closed by the gateway.');
      this.block('error', errorCallout(error, { context: `socket ${sock}` }));
    } else {
      this.line('event', sockBadge(sock), ' closed.');
    }
  }

  onErrorEvent({ error, sock }) {
    this.block('error', errorCallout(error, { context: sock ? `socket ${sock}` : 'session', policy: this.getInfo()?.policy }));
  }

  // --- input --------------------------------------------------------------

  onKey(e) {
    if (e.key === 'ArrowUp') {
      if (this.histPos === this.history.length) this.draft = this.input.value;
      if (this.histPos > 0) {
        this.histPos--;
        this.fill(this.history[this.histPos]);
      }
      e.preventDefault();
    } else if (e.key === 'ArrowDown') {
      if (this.histPos < this.history.length) {
        this.histPos++;
        this.fill(this.histPos === this.history.length ? this.draft : this.history[this.histPos]);
      }
      e.preventDefault();
    } else if (e.key === 'Tab' && !e.shiftKey && /^\S*$/.test(this.input.value) && this.input.value) {
      const options = complete(this.input.value.toLowerCase());
      if (options.length === 1) {
        this.fill(`${options[0]} `);
        e.preventDefault();
      } else if (options.length > 1) {
        this.hint.textContent = options.join('  ');
        e.preventDefault();
      }
    } else if (e.key === 'l' && e.ctrlKey) {
      this.clear();
      e.preventDefault();
    } else if (e.key === 'Escape') {
      this.input.value = '';
      this.updateHint();
    }
  }

  updateHint() {
    const head = /^\s*(\S+)/.exec(this.input.value)?.[1];
    const cmd = head ? findCommand(head.toLowerCase()) : null;
    this.hint.replaceChildren();
    if (cmd) {
      this.hint.append(h('code', {}, cmd.usage), ' — ', cmd.help);
      if (cmd.name === 'send' || cmd.name === 'sendto') {
        this.hint.append(` Line ending: ${LINE_ENDINGS[this.ending.value].label}.`);
      }
    } else if (head) {
      const options = complete(head.toLowerCase());
      this.hint.textContent = options.length ? `Tab completes: ${options.join(', ')}` : 'Unknown command — type help.';
    } else {
      this.hint.append('Enter runs · ↑↓ history · Tab completes · Ctrl+L clears');
    }
  }

  submit() {
    const line = this.input.value;
    this.input.value = '';
    this.updateHint();
    if (line.trim()) {
      if (this.history[this.history.length - 1] !== line) this.history.push(line);
      if (this.history.length > 200) this.history.splice(0, this.history.length - 200);
      saveHistory(this.history);
    }
    this.histPos = this.history.length;
    this.draft = '';
    return this.run(line);
  }

  /** Runs one command line; echoes it first. Resolves when it finished. */
  async run(line) {
    if (!line.trim()) return;
    this.onCommand(line);
    this.line('cmd', h('span', { class: 'prompt' }, '›'), ' ', line);
    let cmd;
    try {
      cmd = parseCommand(line);
    } catch (err) {
      this.usageError(err);
      return;
    }
    if (!cmd) return;
    try {
      await this.exec(cmd, line);
    } catch (err) {
      if (err instanceof CommandError) this.usageError(err);
      else this.block('error', errorCallout(err, { context: line.trim(), policy: this.getInfo()?.policy }));
    }
  }

  usageError(err) {
    const el = this.line('error usage', h('span', { class: 'errcode' }, 'usage'), ' ', err.message);
    if (err.usage) el.append(' — ', h('code', {}, err.usage));
  }

  need() {
    if (!this.session || this.session.closed) {
      const err = new Error('The page is not connected to the gateway.');
      err.code = 'ENOTCONNECTED';
      throw err;
    }
    return this.session;
  }

  bytesFor(text) {
    return unescapeText(text + LINE_ENDINGS[this.ending.value].bytes);
  }

  async exec(cmd, line) {
    switch (cmd.name) {
      case 'help': return this.help(cmd.topic);
      case 'clear': return this.clear();
      case 'sockets': return this.listSockets();
      case 'connect': {
        const pending = this.line('pending', `connecting to ${cmd.host}:${cmd.port} …`);
        try {
          const r = await this.need().connect(cmd.host, cmd.port);
          pending.remove();
          this.line('ok', '✓ ', sockBadge(r.sock), ` connected ${endpoint(r.local)} → ${endpoint(r.remote)}. `, this.chip(`send ${r.sock} `));
        } catch (err) {
          pending.remove();
          throw err;
        }
        return;
      }
      case 'listen': {
        const r = await this.need().listen(cmd.host, cmd.port);
        this.line('ok', '✓ ', sockBadge(r.sock), ` listening on ${endpoint(r.local)}. Connect to it, e.g. `,
          h('code', {}, `nc ${r.local.addr} ${r.local.port}`), '.');
        return;
      }
      case 'bind': {
        const r = await this.need().bind(cmd.host, cmd.port);
        const demo = this.getInfo()?.demo;
        this.line('ok', '✓ ', sockBadge(r.sock), ` UDP socket bound to ${endpoint(r.local)}. `,
          this.chip(`sendto ${r.sock} ${demo ? `${demo.host} ${demo.port}` : '127.0.0.1 9007'} ping`));
        return;
      }
      case 'send':
      case 'sendhex': {
        let bytes;
        try {
          bytes = cmd.name === 'send' ? this.bytesFor(cmd.text) : parseHex(cmd.hex);
        } catch (err) {
          throw new CommandError(err.message, findCommand(cmd.name).usage);
        }
        if (!bytes.length) throw new CommandError('nothing to send (empty TEXT and no line ending)', findCommand('send').usage);
        const udp = this.need().sockets().find((s) => s.id === cmd.sock && s.kind === 'udp');
        if (udp && cmd.name === 'send') {
          this.suggestSendTo(udp, cmd.text);
          return;
        }
        this.need().send(cmd.sock, bytes);
        this.dataLine(cmd.sock, 'out', bytes);
        return;
      }
      case 'sendto': {
        const bytes = this.bytesFor(cmd.text);
        let addr = cmd.host;
        if (!/^[\d.]+$/.test(addr) && !addr.includes(':')) {
          // DATAGRAM frames carry numeric addresses: resolve names first.
          const r = await this.need().resolve(addr);
          addr = r.addrs.find((a) => !a.includes(':')) || r.addrs[0];
        }
        this.need().sendTo(cmd.sock, addr, cmd.port, bytes);
        this.dataLine(cmd.sock, 'out', bytes, `to ${endpoint({ addr, port: cmd.port })}`);
        return;
      }
      case 'shutdown':
        await this.need().shutdown(cmd.sock);
        this.line('ok', '✓ ', sockBadge(cmd.sock), ' shut down for sending (FIN sent); still receiving.');
        return;
      case 'close':
        await this.need().close(cmd.sock);
        this.line('ok', '✓ ', sockBadge(cmd.sock), ' closed.');
        return;
      case 'resolve': {
        const r = await this.need().resolve(cmd.host);
        this.line('ok', '✓ ', `${cmd.host} → `, ...r.addrs.flatMap((a, i) => [i ? ', ' : '', h('code', {}, a)]));
        return;
      }
      default:
        throw new CommandError(`cannot run ${line}`);
    }
  }

  // send on a UDP socket: a datagram needs a destination, which sendto names.
  suggestSendTo(sock, text) {
    const peer = sock.remote ? { host: sock.remote.addr, port: sock.remote.port } : this.getInfo()?.demo;
    const line = `sendto ${sock.id} ${peer ? `${peer.host} ${peer.port}` : 'HOST PORT'} ${text}`;
    this.line('error usage', h('span', { class: 'errcode' }, 'udp'), ' ', sockBadge(sock.id),
      ' is a UDP socket: a datagram names where it goes, so use sendto. ', this.chip(line));
  }

  help(topic) {
    if (topic) {
      const c = findCommand(topic.toLowerCase());
      if (!c) throw new CommandError(`no command "${topic}"`);
      this.line('help', h('code', {}, c.usage), ' — ', c.help, ' Example: ', this.chip(c.example));
      return;
    }
    const table = h('table', { class: 'help-table' },
      ...COMMANDS.map((c) => h('tr', {},
        h('td', { class: 'usage' }, h('button', { type: 'button', class: 'chip', dataset: { fill: c.example }, title: `Put "${c.example}" in the input` }, c.usage)),
        h('td', {}, c.help))));
    this.line('help', table);
    this.line('note', 'Click a command to put an example of it in the input. Socket ids are in the Sockets table.');
  }

  listSockets() {
    const list = this.need().sockets();
    if (!list.length) { this.line('note', 'No sockets.'); return; }
    for (const s of list) {
      this.line('note', sockBadge(s.id), ` ${s.kind} ${s.state} ${endpoint(s.local)}${s.remote ? ` → ${endpoint(s.remote)}` : ''} · in ${size(s.bytesIn)} · out ${size(s.bytesOut)}${s.error ? ` · ${errorInfo(s.error).code}` : ''}`);
    }
  }

  sessionClosed({ code, reason, reconnecting = false }) {
    this.line('warn', '● ', h('strong', {}, 'Disconnected'), ` from the gateway (close code ${code}${reason ? `, ${reason}` : ''}). Its sockets are gone; `,
      reconnecting ? 'the page reconnects by itself (the countdown is at the top).' : 'reconnect from the top bar.');
  }
}

function loadHistory() {
  try {
    const v = JSON.parse(localStorage.getItem(HISTORY_KEY) || '[]');
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string').slice(-200) : [];
  } catch {
    return [];
  }
}

function saveHistory(list) {
  try { localStorage.setItem(HISTORY_KEY, JSON.stringify(list)); } catch { /* private mode */ }
}
