// A CodeMirror 6 view for program sources: line numbers, highlighting,
// search. The C++ examples are read-only (they are compiled ahead of time);
// the Python editor is editable, with undo and Tab indentation, and keeps
// one EditorState per program so each has its own undo history.

import { EditorState } from '@codemirror/state';
import {
  EditorView, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, keymap,
  highlightSpecialChars,
} from '@codemirror/view';
import { syntaxHighlighting, HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentUnit, indentOnInput } from '@codemirror/language';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { tags as t } from '@lezer/highlight';
import { cpp } from '@codemirror/lang-cpp';
import { python } from '@codemirror/lang-python';
import { bodyLine } from './source_body.js';

// Colours come from CSS variables so the editor follows the page's light
// or dark scheme.
const highlight = HighlightStyle.define([
  { tag: [t.keyword, t.controlKeyword, t.operatorKeyword, t.modifier], color: 'var(--syn-keyword)' },
  { tag: [t.typeName, t.standard(t.typeName)], color: 'var(--syn-type)' },
  { tag: [t.string, t.special(t.string), t.character], color: 'var(--syn-string)' },
  { tag: [t.number, t.bool, t.null, t.atom], color: 'var(--syn-number)' },
  { tag: [t.comment, t.lineComment, t.blockComment], color: 'var(--syn-comment)', fontStyle: 'italic' },
  { tag: [t.processingInstruction, t.meta], color: 'var(--syn-meta)' },
  { tag: [t.function(t.variableName), t.function(t.propertyName)], color: 'var(--syn-fn)' },
  { tag: [t.macroName], color: 'var(--syn-meta)' },
  { tag: [t.definition(t.variableName)], color: 'var(--syn-def)' },
  { tag: [t.propertyName], color: 'var(--syn-prop)' },
  { tag: [t.operator, t.punctuation], color: 'var(--syn-punct)' },
  { tag: t.invalid, color: 'var(--err)' },
]);

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '12.5px', backgroundColor: 'var(--code-bg)', color: 'var(--ink)' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55' },
  '.cm-gutters': { backgroundColor: 'var(--code-bg)', color: 'var(--muted-2)', border: 'none', paddingLeft: '4px' },
  '.cm-activeLine': { backgroundColor: 'var(--code-active)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--code-active)', color: 'var(--muted)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '-2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground, ::selection': { backgroundColor: 'var(--selection) !important' },
  '.cm-cursor': { borderLeftColor: 'var(--ink)' },
  '.cm-foldPlaceholder': { backgroundColor: 'var(--chip-bg)', border: 'none', color: 'var(--muted)' },
  '.cm-panels': { backgroundColor: 'var(--panel)', color: 'var(--ink)' },
  '.cm-searchMatch': { backgroundColor: 'var(--search-match)' },
});

export class SourceView {
  /**
   * language: 'cpp' | 'python'. editable: false for the examples. keys:
   * extra key bindings that win over the defaults, e.g. Mod-Enter to run.
   * onChange(): called after the learner edits the text.
   */
  constructor(parent, { language = 'cpp', editable = false, label = 'Example source code (read-only)', keys = [], onChange = null } = {}) {
    this.language = language;
    this.editable = editable;
    this.label = label;
    this.keys = keys;
    this.onChange = onChange;
    this.view = new EditorView({
      parent,
      state: this.state(''),
    });
  }

  state(doc) {
    const editing = this.editable
      // Long lines wrap: a learner should not have to scroll sideways to
      // read a comment.
      ? [history(), indentOnInput(), EditorView.lineWrapping, keymap.of([...this.keys, indentWithTab, ...historyKeymap])]
      : [EditorState.readOnly.of(true), keymap.of(this.keys)];
    return EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        foldGutter(),
        highlightSpecialChars(),
        drawSelection(),
        highlightActiveLine(),
        highlightActiveLineGutter(),
        highlightSelectionMatches(),
        bracketMatching(),
        indentUnit.of('    '),
        syntaxHighlighting(highlight),
        this.language === 'python' ? python() : cpp(),
        theme,
        editing,
        keymap.of([...defaultKeymap, ...searchKeymap, ...foldKeymap]),
        // tabindex: a read-only editor is still reached with Tab, so its
        // text can be scrolled and selected from the keyboard.
        EditorView.contentAttributes.of({ 'aria-label': this.label, tabindex: '0' }),
        // Tab indents in an editable editor; the way out (Escape, then Tab)
        // is said in the footer, and read out with the editor.
        this.editable ? EditorView.contentAttributes.of({ 'aria-describedby': 'editor-keys' }) : [],
        EditorView.updateListener.of((u) => { if (u.docChanged && this.onChange) this.onChange(); }),
      ],
    });
  }

  /** Shows text with a fresh state (no undo history). */
  setSource(text) {
    this.view.setState(this.state(text));
  }

  /** The current state, to keep while another program is shown. */
  saveState() {
    return this.view.state;
  }

  restoreState(state) {
    this.view.setState(state);
  }

  get text() {
    return this.view.state.doc.toString();
  }

  /** Shows text starting at the program's body (source_body.js), the cursor there. */
  setSourceAtBody(text) {
    this.setSource(text);
    const line = this.view.state.doc.line(Math.min(bodyLine(text, this.language), this.view.state.doc.lines));
    this.view.dispatch({ selection: { anchor: line.from } });
    // Scrolls the editor only: scrollIntoView would scroll the page too.
    this.view.requestMeasure({
      read: (view) => view.lineBlockAt(line.from).top,
      write: (top, view) => { view.scrollDOM.scrollTop = top; },
    });
  }

  /** Puts the cursor at the start of line n (1-based), scrolls it into view and focuses the editor. */
  goToLine(n) {
    const doc = this.view.state.doc;
    const line = doc.line(Math.min(Math.max(1, n), doc.lines));
    this.view.dispatch({ selection: { anchor: line.from }, effects: EditorView.scrollIntoView(line.from, { y: 'center' }) });
    this.view.focus();
  }

  /** The line the cursor is on (1-based). */
  get cursorLine() {
    const { state } = this.view;
    return state.doc.lineAt(state.selection.main.head).number;
  }
}
