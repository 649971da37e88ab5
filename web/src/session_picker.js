// "Showing: console ▾": which session the sockets table, the sequence
// diagram and the wire view follow. Every picker on the page shows the
// hub's choice; changing any of them changes it for all three views.

import { h } from './format.js';

const KIND = { console: 'console', python: 'Python', cpp: 'C++' };

export class SessionPicker {
  constructor(hub) {
    this.hub = hub;
    this.select = h('select', { class: 'select session-select', 'aria-label': 'Session shown in the sockets table, sequence diagram and wire view', title: 'Which session these views follow' });
    this.el = h('label', { class: 'session-picker' }, h('span', { class: 'session-picker-label' }, 'Showing:'), this.select);
    this.select.addEventListener('change', () => hub.select(hub.byId(this.select.value)));
    hub.addEventListener('list', () => this.render());
    hub.addEventListener('select', () => this.render());
    this.render();
  }

  render() {
    const { records, current } = this.hub;
    const live = records.filter((r) => r.live).reverse();
    const ended = records.filter((r) => !r.live).reverse();
    const option = (r) => h('option', { value: r.id, selected: r === current }, optionText(r));
    this.select.replaceChildren(
      ...(live.length ? [h('optgroup', { label: 'Live' }, live.map(option))] : []),
      ...(ended.length ? [h('optgroup', { label: 'Ended' }, ended.map(option))] : []));
    if (current) this.select.value = current.id;
    this.el.dataset.kind = current?.kind || '';
    this.el.dataset.live = String(Boolean(current?.live));
  }
}

/** "tcp_server.py · Python", "console (ended)". */
export function optionText(r) {
  const what = r.kind === 'console' ? 'console' : `${r.label} · ${KIND[r.kind] || r.kind}`;
  return r.live ? what : `${what} (ended)`;
}
