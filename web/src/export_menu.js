// "Export" for a log the learner wants to keep or paste somewhere: the
// console, the wire view, a program's output. Copies it as text, or saves
// it as a .txt or a .json file; nothing leaves the browser.

import { h, clock, copyText } from './format.js';

/**
 * A menu button. records(): the log's entries, [{time, text, ...}] (time in
 * ms since the epoch); name: the saved file's name without extension.
 */
export function exportMenu({ name, records, label = 'Export' }) {
  const status = h('span', { class: 'export-status', role: 'status' });
  const item = (text, title, act) => {
    const b = h('button', { type: 'button', class: 'btn btn-small export-item', title, dataset: { export: text } }, text);
    b.addEventListener('click', async () => {
      status.textContent = await act();
      menu.open = false;
      menu.querySelector('summary').focus();
    });
    return b;
  };
  const fileName = () => (typeof name === 'function' ? name() : name);
  const menu = h('details', { class: 'export' },
    h('summary', { class: 'btn btn-small', title: 'Copy or save this log' }, label),
    h('div', { class: 'export-menu' },
      item('Copy text', 'Copy the log as text', async () => ((await copyText(logText(records()))) ? 'copied' : 'copy failed')),
      item('Save .txt', 'Save the log as a text file', () => save(`${fileName()}.txt`, 'text/plain', logText(records()))),
      item('Save .json', 'Save the log as JSON, one object per entry', () => save(`${fileName()}.json`, 'application/json', logJson(records())))),
    status);
  document.addEventListener('click', (e) => { if (menu.open && !menu.contains(e.target)) menu.open = false; });
  menu.addEventListener('keydown', (e) => { if (e.key === 'Escape' && menu.open) { menu.open = false; menu.querySelector('summary').focus(); } });
  return menu;
}

/** One line per entry: its time of day, then its text. */
export function logText(records) {
  return records.map((r) => `${r.time ? `${clock(r.time)} ` : ''}${r.text}`).join('\n') + (records.length ? '\n' : '');
}

/** The entries with their times as ISO 8601 text. */
export function logJson(records) {
  return `${JSON.stringify(records.map((r) => ({ ...r, time: r.time ? new Date(r.time).toISOString() : null })), null, 2)}\n`;
}

function save(filename, type, content) {
  const url = URL.createObjectURL(new Blob([content], { type: `${type};charset=utf-8` }));
  const a = h('a', { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return `saved ${filename}`;
}

/** "20261203-142501" (UTC) for a saved file's name. */
export function fileStamp() {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
