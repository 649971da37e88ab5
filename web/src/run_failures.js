// Reads a program's own protocol messages (its run's wire, wiretap.js) for
// the gateway's refusals that a program can only print as an errno string
// ("listen: Permission denied"), so the page can explain them as the console
// does: which rule refused, which flag would allow it, who holds a port.

// The errors worth a callout: the ones whose cause is outside the program.
const EXPLAINED = new Set(['EACCES', 'EADDRINUSE']);

/**
 * A function to feed every wire detail of one run. It calls
 * show(error, context) once per distinct refusal, where error is the
 * gateway's {code, message} and context says what was asked, as the console
 * would type it ("listen 127.0.0.1 80").
 */
export function runFailureWatcher(show) {
  const asked = new Map(); // request id -> request
  const shown = new Set();
  return (d) => {
    if (d.kind !== 'text') return;
    let j;
    try {
      j = JSON.parse(d.text);
    } catch {
      return;
    }
    if (!j || typeof j.id !== 'number') return;
    if (d.dir === 'out') {
      asked.set(j.id, j);
      return;
    }
    const request = asked.get(j.id);
    asked.delete(j.id);
    if (j.ok !== false || !j.error || !EXPLAINED.has(j.error.code)) return;
    const context = request ? requestText(request) : j.op || null;
    const key = `${j.error.code} ${context}`;
    if (shown.has(key)) return;
    shown.add(key);
    show(j.error, context, request);
  };
}

function requestText(r) {
  const proto = r.op === 'bind' || (r.op === 'connect' && r.proto === 'udp') ? ` (${r.proto || 'udp'})` : '';
  return `${[r.op, r.host ?? '*', r.port].filter((x) => x !== undefined && x !== null).join(' ')}${proto}`;
}
