// A CodeMirror 6 view for example sources: C++ highlighting, line numbers,
// read-only (the examples are compiled ahead of time), searchable.

import { EditorState, Compartment } from '@codemirror/state';
import {
  EditorView, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, keymap,
  highlightSpecialChars,
} from '@codemirror/view';
import { syntaxHighlighting, HighlightStyle, bracketMatching, foldGutter, foldKeymap, indentUnit } from '@codemirror/language';
import { defaultKeymap } from '@codemirror/commands';
import { searchKeymap, highlightSelectionMatches } from '@codemirror/search';
import { tags as t } from '@lezer/highlight';
import { cpp } from '@codemirror/lang-cpp';

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
  constructor(parent) {
    this.editable = new Compartment();
    this.view = new EditorView({
      parent,
      state: this.state(''),
    });
  }

  state(doc) {
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
        cpp(),
        theme,
        this.editable.of([EditorState.readOnly.of(true)]),
        keymap.of([...defaultKeymap, ...searchKeymap, ...foldKeymap]),
        EditorView.contentAttributes.of({ 'aria-label': 'Example source code (read-only)' }),
      ],
    });
  }

  setSource(text) {
    this.view.setState(this.state(text));
  }

  get text() {
    return this.view.state.doc.toString();
  }
}
