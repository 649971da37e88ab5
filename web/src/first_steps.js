// What a newcomer reads first, under the header: what the page is for and
// the first thing to do, as buttons that do it. Once dismissed it stays
// away (localStorage); the header keeps the one-line purpose.

import { h } from './format.js';

const DISMISSED_KEY = 'sockgate.firstSteps';

export class FirstSteps {
  /** steps: [{label, title, act}], buttons in order. */
  constructor(root, steps) {
    this.root = root;
    if (readDismissed()) {
      root.hidden = true;
      return;
    }
    const dismiss = h('button', { type: 'button', class: 'btn btn-small first-steps-dismiss', title: 'Hide this for good (on this browser)' }, 'Got it');
    dismiss.addEventListener('click', () => this.dismiss());
    const buttons = steps.map((s, i) => {
      const b = h('button', { type: 'button', class: 'btn btn-small btn-accent first-step', title: s.title, dataset: { step: String(i + 1) } }, `▶ ${i + 1}. ${s.label}`);
      b.addEventListener('click', () => s.act());
      return b;
    });
    root.replaceChildren(
      h('p', { class: 'first-steps-text' },
        h('strong', {}, 'New here? '),
        h('span', { class: 'first-steps-why' }, 'Every socket on this page is real: the gateway opens it on its host for the program in your browser. '),
        'Start with ',
        ...buttons.flatMap((b, i) => (i ? [' then ', b] : [b])),
        h('span', { class: 'first-steps-why' }, ', and watch them talk under Sequence and Wire. Or type ', h('code', {}, 'help'), ' in the console'),
        '.'),
      dismiss);
    root.hidden = false;
  }

  dismiss() {
    this.root.hidden = true;
    try { localStorage.setItem(DISMISSED_KEY, 'dismissed'); } catch { /* private mode: for this page only */ }
  }
}

function readDismissed() {
  try {
    return localStorage.getItem(DISMISSED_KEY) === 'dismissed';
  } catch {
    return false;
  }
}
