// The output pane of one Python program, drawn like a terminal: stdout,
// stderr (in another colour) and the lines typed for input() share lines as
// they would on a terminal, so `input("name? ")` and the answer sit on one
// line. Traceback lines that name the program's file link to that line in
// the editor. Callouts (a denied destination) go under the output.

import { h, atBottom, throttleFrame } from './format.js';

// Lines kept per pane; a chatty server must not grow the page forever.
const MAX_LINES = 5000;

export class RunOutput {
  /** onLine(n): a traceback link to line n was clicked. */
  constructor({ name, label, filename = 'main.py', onLine = () => {} }) {
    this.filename = filename;
    this.onLine = onLine;
    this.lines = h('div', { class: 'py-lines' });
    this.notes = h('div', { class: 'py-notes' });
    this.el = h('div', { class: 'py-output', role: 'log', tabindex: '0', 'aria-label': `Output of ${label}`, hidden: true, dataset: { program: name } },
      this.lines, this.notes);
    this.current = null; // the line being written: no newline has ended it yet
    // Output is drawn once per frame: a program printing in a loop sends
    // a message per line, and the page must keep up.
    this.pending = [];
    this.scheduleFlush = throttleFrame(() => this.flush());
    this.el.addEventListener('click', (e) => {
      const link = e.target.closest('.tb-link');
      if (!link) return;
      e.preventDefault();
      this.onLine(Number(link.dataset.line));
    });
  }

  clear() {
    this.pending = [];
    this.lines.replaceChildren();
    this.notes.replaceChildren();
    this.current = null;
  }

  /** Writes text of a stream: 'out' (stdout), 'err' (stderr) or 'in' (typed by the learner). */
  write(stream, text) {
    this.pending.push([stream, text]);
    this.scheduleFlush();
  }

  /** Draws what was written since the last frame. */
  flush() {
    if (!this.pending.length) return;
    const stick = atBottom(this.el);
    for (const [stream, text] of this.pending.splice(0)) {
      text.split('\n').forEach((part, i) => {
        if (i > 0) {
          this.current ??= this.newLine();
          this.endLine();
        }
        if (part) (this.current ??= this.newLine()).append(h('span', { class: `ps ps-${stream}` }, part));
      });
    }
    while (this.lines.childElementCount > MAX_LINES) this.lines.firstElementChild.remove();
    if (stick) this.scrollToEnd();
  }

  /** A line from the page itself (the command, the final status). */
  system(text, kind = 'sys') {
    this.flush();
    if (this.current) this.endLine();
    const stick = atBottom(this.el);
    this.lines.append(h('div', { class: `pl pl-${kind}`, dataset: { time: String(Date.now()) } }, text));
    if (stick) this.scrollToEnd();
  }

  /** Adds an element (a callout) under the output. */
  note(el) {
    this.flush();
    this.notes.append(el);
    this.scrollToEnd();
  }

  scrollToEnd() {
    this.el.scrollTop = this.el.scrollHeight;
  }

  /** The output so far, as text. */
  get text() {
    this.flush();
    return this.lines.textContent;
  }

  /** The output, for export: [{time, stream, text}]; stream is out, err, in, sys or mixed. */
  records() {
    this.flush();
    return [...this.lines.children].map((el) => {
      const streams = new Set([...el.querySelectorAll('.ps')].map((s) => [...s.classList].find((c) => c.startsWith('ps-'))?.slice(3)));
      const sys = [...el.classList].find((c) => c.startsWith('pl-'))?.slice(3);
      return {
        time: Number(el.dataset.time) || null,
        stream: sys || (streams.size === 1 ? [...streams][0] : streams.size ? 'mixed' : 'out'),
        text: el.textContent,
      };
    });
  }

  newLine() {
    // The time its first text was written.
    const line = h('div', { class: 'pl', dataset: { time: String(Date.now()) } });
    this.lines.append(line);
    return line;
  }

  // The line is complete: a traceback line naming our file gets its link.
  endLine() {
    const line = this.current;
    this.current = null;
    const m = /^(\s*)(File "([^"]+)", line (\d+))/.exec(line.textContent);
    if (!m || m[3] !== this.filename || line.querySelector('.ps-in')) return;
    const rest = line.textContent.slice(m[0].length);
    line.replaceChildren(h('span', { class: 'ps ps-err' }, m[1],
      h('a', { href: '#', class: 'tb-link', dataset: { line: m[4] }, title: `Show line ${m[4]} in the editor` }, m[2]),
      rest));
  }
}
