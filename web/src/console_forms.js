// Forms beside the console's typed commands, for who would rather fill in
// fields: open a socket (connect, listen, bind) with host and port, and send
// messages kept for resending (as Packet Sender keeps them). Each form runs
// the command it stands for through the console, so the log shows the
// command too and the learner sees how to type it.

import { h } from './format.js';

const SAVED_KEY = 'sockgate.console.saved';
const MAX_SAVED = 50;

export class ConsoleForms {
  /**
   * run(line): runs a console command. sockets(): the console session's
   * sockets, [] when not connected. defaultPeer(): {host, port} to send
   * datagrams to when a UDP socket has heard from nobody (the demo echo
   * service).
   */
  constructor({ run, sockets, defaultPeer = () => null }) {
    this.run = run;
    this.sockets = sockets;
    this.defaultPeer = defaultPeer;
    this.saved = loadSaved();

    // --- open a socket
    this.action = h('select', { class: 'select form-action', 'aria-label': 'What to open' },
      h('option', { value: 'connect' }, 'Connect (TCP)'),
      h('option', { value: 'listen' }, 'Listen (TCP)'),
      h('option', { value: 'bind' }, 'Bind (UDP)'));
    this.host = h('input', { class: 'form-input form-host', type: 'text', spellcheck: 'false', 'aria-label': 'Host', placeholder: 'host' });
    this.port = h('input', { class: 'form-input form-port', type: 'text', inputmode: 'numeric', 'aria-label': 'Port', placeholder: 'port' });
    this.action.addEventListener('change', () => this.fillDefaults());
    const openForm = h('form', { class: 'form-row form-open' },
      this.action, this.host, this.port,
      h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Open'));
    openForm.addEventListener('submit', (e) => { e.preventDefault(); this.open(); });

    // --- send a message
    this.sock = h('select', { class: 'select form-sock', 'aria-label': 'Socket to send on' });
    this.toHost = h('input', { class: 'form-input form-host', type: 'text', spellcheck: 'false', 'aria-label': 'Datagram to host', placeholder: 'to host' });
    this.toPort = h('input', { class: 'form-input form-port', type: 'text', inputmode: 'numeric', 'aria-label': 'Datagram to port', placeholder: 'port' });
    this.dest = h('span', { class: 'form-dest', hidden: true }, 'to ', this.toHost, this.toPort);
    this.message = h('input', { class: 'form-input form-message', type: 'text', spellcheck: 'false', 'aria-label': 'Message', placeholder: 'message (escapes: \\n \\t \\xHH)' });
    this.sock.addEventListener('change', () => this.showDest());
    // The list follows the sockets when the learner looks at it.
    for (const ev of ['focus', 'pointerdown']) this.sock.addEventListener(ev, () => this.refresh());
    const saveBtn = h('button', { type: 'button', class: 'btn btn-small form-save', title: 'Keep this message for resending' }, 'Save');
    saveBtn.addEventListener('click', () => this.save(this.message.value));
    const sendForm = h('form', { class: 'form-row form-send' },
      this.sock, this.dest, this.message,
      h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Send'), saveBtn);
    sendForm.addEventListener('submit', (e) => { e.preventDefault(); this.send(this.message.value); });

    this.savedList = h('ul', { class: 'form-saved', 'aria-label': 'Saved messages' });
    this.el = h('div', { class: 'console-forms', hidden: true },
      openForm, sendForm, this.savedList);
    this.fillDefaults();
    this.renderSaved();
  }

  toggle(on = this.el.hidden) {
    this.el.hidden = !on;
    if (on) {
      this.refresh();
      this.fillDefaults();
    }
    return on;
  }

  fillDefaults() {
    const peer = this.defaultPeer();
    const action = this.action.value;
    this.host.value = action === 'connect' && peer ? peer.host : '127.0.0.1';
    this.port.value = action === 'connect' ? String(peer?.port ?? '') : action === 'listen' ? '12345' : '0';
  }

  open() {
    const host = this.host.value.trim() || '127.0.0.1';
    const port = this.port.value.trim();
    this.run(`${this.action.value} ${host} ${port}`.trim());
  }

  /** Fills the socket list from the session: open TCP connections and UDP sockets. */
  refresh() {
    const chosen = this.sock.value;
    const usable = this.sockets().filter((s) => s.state !== 'closed' && (s.kind === 'udp' || (s.kind === 'tcp' && !s.shutdown)));
    this.sock.replaceChildren(...(usable.length
      ? usable.map((s) => h('option', { value: String(s.id), dataset: { kind: s.kind } }, `[${s.id}] ${s.kind.toUpperCase()} ${s.remote && s.kind === 'tcp' ? `→ ${s.remote.addr}:${s.remote.port}` : `on ${s.local?.addr}:${s.local?.port}`}`))
      : [h('option', { value: '' }, 'no socket: open one above')]));
    if ([...this.sock.options].some((o) => o.value === chosen)) this.sock.value = chosen;
    this.showDest();
  }

  // A UDP socket needs a destination: the peer it last heard from, or the
  // default one.
  showDest() {
    const opt = this.sock.selectedOptions[0];
    const udp = opt?.dataset.kind === 'udp';
    this.dest.hidden = !udp;
    if (udp && !this.toHost.value) {
      const s = this.sockets().find((x) => String(x.id) === opt.value);
      const peer = s?.remote ? { host: s.remote.addr, port: s.remote.port } : this.defaultPeer();
      if (peer) {
        this.toHost.value = peer.host;
        this.toPort.value = String(peer.port);
      }
    }
  }

  send(text) {
    this.refresh();
    const opt = this.sock.selectedOptions[0];
    if (!opt?.value) {
      this.run(`send ? ${text}`); // the console explains what is missing
      return;
    }
    if (opt.dataset.kind === 'udp') this.run(`sendto ${opt.value} ${this.toHost.value.trim()} ${this.toPort.value.trim()} ${text}`);
    else this.run(`send ${opt.value} ${text}`);
  }

  save(text) {
    if (!text) return;
    this.saved = [text, ...this.saved.filter((t) => t !== text)].slice(0, MAX_SAVED);
    storeSaved(this.saved);
    this.renderSaved();
  }

  renderSaved() {
    this.savedList.replaceChildren(...this.saved.map((text) => {
      const send = h('button', { type: 'button', class: 'btn btn-small form-resend', title: `Send "${text}" on the chosen socket` }, `▶ ${text}`);
      send.addEventListener('click', () => this.send(text));
      const remove = h('button', { type: 'button', class: 'btn btn-small form-forget', 'aria-label': `Forget "${text}"`, title: 'Forget this message' }, '×');
      remove.addEventListener('click', () => {
        this.saved = this.saved.filter((t) => t !== text);
        storeSaved(this.saved);
        this.renderSaved();
      });
      return h('li', {}, send, remove);
    }));
    this.savedList.hidden = this.saved.length === 0;
  }
}

function loadSaved() {
  try {
    const v = JSON.parse(localStorage.getItem(SAVED_KEY) || '[]');
    return Array.isArray(v) ? v.filter((x) => typeof x === 'string').slice(0, MAX_SAVED) : [];
  } catch {
    return [];
  }
}

function storeSaved(list) {
  try { localStorage.setItem(SAVED_KEY, JSON.stringify(list)); } catch { /* private mode: for this page only */ }
}
