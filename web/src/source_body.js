// Where a program's own code starts, so the editor opens there and not on
// its header comment and includes: a C++ program's main(), a Python
// program's first statement after its comments and imports.

const CPP_PREAMBLE = /^\s*(\/\/|\/\*|\*|#|using\b|$)/;
const PY_PREAMBLE = /^\s*(#|import\b|from\s+\S+\s+import\b|$)/;

/** The 1-based line a program's body starts on (1 when it has no preamble). */
export function bodyLine(text, language) {
  const lines = text.split('\n');
  if (language === 'cpp') {
    const main = lines.findIndex((l) => /^\s*int\s+main\s*\(/.test(l));
    if (main >= 0) return main + 1;
  }
  const preamble = language === 'python' ? PY_PREAMBLE : CPP_PREAMBLE;
  const first = lines.findIndex((l) => !preamble.test(l));
  return first >= 0 ? first + 1 : 1;
}
