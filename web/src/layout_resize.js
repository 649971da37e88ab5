// Handles between the layout's columns, dragged with a pointer or moved
// with the arrow keys; the widths are remembered per layout (three columns
// on wide screens, two below 1180 pixels; phones have one and no handles).
// A double-click on a handle, or Home, puts the widths back.

import { h } from './format.js';

const KEY = 'sockgate.layout.columns';
const STEP_PX = 24;
const MIN_PX = 240;

// The panels that start each column, per layout.
const COLUMNS = { 3: ['#python', '#examples', '#sequence'], 2: ['#python', '#console'] };

export class ColumnResizer {
  constructor(layout) {
    this.layout = layout;
    this.handles = [];
    this.saved = load();
    new ResizeObserver(() => this.place()).observe(layout);
    window.addEventListener('resize', () => this.place());
  }

  // How many columns the layout has now.
  mode() {
    const cols = getComputedStyle(this.layout).gridTemplateColumns.split(' ').length;
    return COLUMNS[cols] ? cols : 1;
  }

  panels() {
    return (COLUMNS[this.mode()] || []).map((sel) => this.layout.querySelector(sel));
  }

  place() {
    const mode = this.mode();
    this.apply(mode);
    const panels = this.panels();
    const count = Math.max(0, panels.length - 1);
    while (this.handles.length < count) this.handles.push(this.makeHandle(this.handles.length));
    this.handles.forEach((el, i) => { el.hidden = i >= count; });
    const box = this.layout.getBoundingClientRect();
    const top = panels[0]?.getBoundingClientRect();
    for (let i = 0; i < count; i++) {
      const a = panels[i].getBoundingClientRect();
      const b = panels[i + 1].getBoundingClientRect();
      const el = this.handles[i];
      // In the page just before the column it resizes, so Tab meets it
      // between the two columns, where it is seen (moved only when it is
      // not there already: moving it would drop its focus).
      if (el.nextElementSibling !== panels[i + 1]) panels[i + 1].before(el);
      el.style.left = `${(a.right + b.left) / 2 - box.left}px`;
      el.style.top = `${top.top - box.top}px`;
      el.style.height = `${top.height}px`;
      const widths = panels.map((p) => p.getBoundingClientRect().width);
      el.setAttribute('aria-valuenow', String(Math.round((100 * widths[i]) / (widths[i] + widths[i + 1]))));
    }
  }

  makeHandle(i) {
    const el = h('div', {
      class: 'col-handle', role: 'separator', tabindex: '0', 'aria-orientation': 'vertical',
      'aria-valuemin': '0', 'aria-valuemax': '100', 'aria-label': `Resize columns ${i + 1} and ${i + 2}`,
      title: 'Drag to resize the columns; double-click to reset',
    });
    el.addEventListener('pointerdown', (e) => {
      e.preventDefault();
      el.setPointerCapture(e.pointerId);
      let last = e.clientX;
      const move = (ev) => { this.moveBy(i, ev.clientX - last); last = ev.clientX; };
      const up = () => { el.removeEventListener('pointermove', move); el.removeEventListener('pointerup', up); this.save(); };
      el.addEventListener('pointermove', move);
      el.addEventListener('pointerup', up);
    });
    el.addEventListener('dblclick', () => this.reset());
    el.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
        e.preventDefault();
        this.moveBy(i, e.key === 'ArrowLeft' ? -STEP_PX : STEP_PX);
        this.save();
      } else if (e.key === 'Home') {
        e.preventDefault();
        this.reset();
      }
    });
    this.layout.append(el);
    return el;
  }

  // Moves the border after column i by dx pixels, keeping both sides usable.
  moveBy(i, dx) {
    const widths = this.panels().map((p) => p.getBoundingClientRect().width);
    const d = Math.max(MIN_PX - widths[i], Math.min(widths[i + 1] - MIN_PX, dx));
    if (!d) return;
    widths[i] += d;
    widths[i + 1] -= d;
    this.saved[this.mode()] = widths.map((w) => Math.round(w));
    this.apply(this.mode());
    this.place();
  }

  // Column widths become fr values in proportion to the pixels chosen.
  apply(mode) {
    for (const m of Object.keys(COLUMNS)) {
      for (let c = 0; c < COLUMNS[m].length; c++) this.layout.style.removeProperty(`--col${m}-${c + 1}`);
    }
    const widths = this.saved[mode];
    if (!widths) return;
    widths.forEach((w, c) => this.layout.style.setProperty(`--col${mode}-${c + 1}`, `${w}fr`));
  }

  save() {
    try { localStorage.setItem(KEY, JSON.stringify(this.saved)); } catch { /* private mode */ }
  }

  reset() {
    delete this.saved[this.mode()];
    this.save();
    this.place();
  }
}

function load() {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) || '{}');
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}
