// The console's command language, netcat style. Pure parsing, no DOM, so it
// can be tested in Node as well.

export const COMMANDS = [
  { name: 'connect', usage: 'connect HOST PORT', help: 'Open a TCP connection (HOST:PORT works too).', example: 'connect 127.0.0.1 9007' },
  { name: 'listen', usage: 'listen [HOST] PORT', help: 'Listen for TCP connections; HOST defaults to 127.0.0.1, PORT 0 picks one.', example: 'listen 12345' },
  { name: 'bind', usage: 'bind [HOST] [PORT]', help: 'Open a UDP socket; both optional (127.0.0.1, any free port).', example: 'bind' },
  { name: 'send', usage: 'send SOCK TEXT', help: 'Send TEXT on a TCP socket, plus the chosen line ending. Escapes: \\n \\r \\t \\0 \\xHH \\\\.', example: 'send 1 hello' },
  { name: 'sendhex', usage: 'sendhex SOCK HEX', help: 'Send raw bytes given in hex, e.g. 48 65 6c 6c 6f.', example: 'sendhex 1 68 69 0a' },
  { name: 'sendto', usage: 'sendto SOCK HOST PORT TEXT', help: 'Send TEXT as one datagram from a UDP socket.', example: 'sendto 1 127.0.0.1 9007 ping' },
  { name: 'shutdown', usage: 'shutdown SOCK', help: 'Half-close a TCP connection: send FIN, keep receiving.', example: 'shutdown 1' },
  { name: 'close', usage: 'close SOCK', help: 'Close any socket and free its id.', example: 'close 1' },
  { name: 'resolve', usage: 'resolve HOST', help: 'Look a name up through the gateway (only allowed addresses are returned).', example: 'resolve localhost' },
  { name: 'sockets', usage: 'sockets', help: 'List this session’s sockets.', example: 'sockets' },
  { name: 'help', usage: 'help [COMMAND]', help: 'Show the commands, or one command in detail.', example: 'help' },
  { name: 'clear', usage: 'clear', help: 'Clear the console (Ctrl+L).', example: 'clear' },
];

const ALIASES = { nc: 'connect', ls: 'sockets', '?': 'help', cls: 'clear', quit: 'close', dial: 'connect' };

export class CommandError extends Error {
  constructor(message, usage) {
    super(message);
    this.name = 'CommandError';
    this.code = 'EINVAL';
    this.usage = usage;
  }
}

export function findCommand(name) {
  const n = ALIASES[name] || name;
  return COMMANDS.find((c) => c.name === n) || null;
}

/** Names of commands starting with prefix, for Tab completion. */
export function complete(prefix) {
  return COMMANDS.map((c) => c.name).filter((n) => n.startsWith(prefix));
}

function parsePort(text, cmd, { allowZero = false } = {}) {
  if (text === undefined || text === '') throw new CommandError('missing PORT', cmd.usage);
  if (!/^\d+$/.test(text)) throw new CommandError(`PORT must be a number, not "${text}"`, cmd.usage);
  const port = Number(text);
  if (port > 65535 || (!allowZero && port === 0)) {
    throw new CommandError(`PORT must be ${allowZero ? '0' : '1'} … 65535`, cmd.usage);
  }
  return port;
}

function parseSock(text, cmd) {
  if (text === undefined || text === '') throw new CommandError('missing SOCK (a socket id, e.g. 1)', cmd.usage);
  const t = text.replace(/^#/, '');
  if (!/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 0xffffffff) {
    throw new CommandError(`SOCK must be a socket id like 1, not "${text}"`, cmd.usage);
  }
  return Number(t);
}

/** "host:port", "[v6]:port" → {host, port}; null if it is not that form. */
function splitHostPort(text) {
  let m = /^\[([^\]]+)\]:(\d+)$/.exec(text);
  if (m) return { host: m[1], port: m[2] };
  m = /^([^:\s]+):(\d+)$/.exec(text);
  if (m) return { host: m[1], port: m[2] };
  return null;
}

function stripBrackets(host) {
  return /^\[.*\]$/.test(host) ? host.slice(1, -1) : host;
}

/**
 * Splits off the first n whitespace-separated words and keeps the rest of
 * the line verbatim (after exactly one separating space), so TEXT keeps its
 * own spaces.
 */
function words(rest, n) {
  const out = [];
  let s = rest;
  for (let i = 0; i < n; i++) {
    s = s.replace(/^\s+/, '');
    const m = /^(\S+)/.exec(s);
    if (!m) { out.push(undefined); continue; }
    out.push(m[1]);
    s = s.slice(m[1].length);
  }
  return { words: out, tail: s.replace(/^[ \t]/, '') };
}

/**
 * Parses one console line into {name, …fields}; throws CommandError with a
 * usage hint on bad input. Returns null for an empty line.
 */
export function parseCommand(line) {
  const trimmed = line.replace(/^\s+/, '');
  if (!trimmed.trim()) return null;
  const head = /^(\S+)/.exec(trimmed)[1];
  const rest = trimmed.slice(head.length);
  const cmd = findCommand(head.toLowerCase());
  if (!cmd) throw new CommandError(`unknown command "${head}". Type help for the list.`);
  const args = rest.trim() ? rest.trim().split(/\s+/) : [];

  switch (cmd.name) {
    case 'connect': {
      let host; let port;
      if (args.length === 1 && splitHostPort(args[0])) ({ host, port } = splitHostPort(args[0]));
      else if (args.length === 2) [host, port] = args;
      else throw new CommandError(args.length ? 'expected HOST and PORT' : 'missing HOST and PORT', cmd.usage);
      return { name: 'connect', host: stripBrackets(host), port: parsePort(port, cmd) };
    }
    case 'listen': {
      if (args.length === 1) {
        const hp = splitHostPort(args[0]);
        if (hp) return { name: 'listen', host: stripBrackets(hp.host), port: parsePort(hp.port, cmd, { allowZero: true }) };
        return { name: 'listen', host: '127.0.0.1', port: parsePort(args[0], cmd, { allowZero: true }) };
      }
      if (args.length === 2) return { name: 'listen', host: stripBrackets(args[0]), port: parsePort(args[1], cmd, { allowZero: true }) };
      throw new CommandError(args.length ? 'too many arguments' : 'missing PORT (0 picks a free one)', cmd.usage);
    }
    case 'bind': {
      if (args.length === 0) return { name: 'bind', host: '127.0.0.1', port: 0 };
      if (args.length === 1) {
        const hp = splitHostPort(args[0]);
        if (hp) return { name: 'bind', host: stripBrackets(hp.host), port: parsePort(hp.port, cmd, { allowZero: true }) };
        if (/^\d+$/.test(args[0])) return { name: 'bind', host: '127.0.0.1', port: parsePort(args[0], cmd, { allowZero: true }) };
        return { name: 'bind', host: stripBrackets(args[0]), port: 0 };
      }
      if (args.length === 2) return { name: 'bind', host: stripBrackets(args[0]), port: parsePort(args[1], cmd, { allowZero: true }) };
      throw new CommandError('too many arguments', cmd.usage);
    }
    case 'send': {
      const { words: [sock], tail } = words(rest, 1);
      return { name: 'send', sock: parseSock(sock, cmd), text: tail };
    }
    case 'sendhex': {
      const { words: [sock], tail } = words(rest, 1);
      if (!tail.trim()) throw new CommandError('missing HEX bytes', cmd.usage);
      return { name: 'sendhex', sock: parseSock(sock, cmd), hex: tail.trim() };
    }
    case 'sendto': {
      const first = words(rest, 2);
      const sock = parseSock(first.words[0], cmd);
      const hp = first.words[1] !== undefined ? splitHostPort(first.words[1]) : null;
      if (hp) return { name: 'sendto', sock, host: stripBrackets(hp.host), port: parsePort(hp.port, cmd), text: first.tail };
      const all = words(rest, 3);
      if (all.words[1] === undefined) throw new CommandError('missing HOST and PORT', cmd.usage);
      return { name: 'sendto', sock, host: stripBrackets(all.words[1]), port: parsePort(all.words[2], cmd), text: all.tail };
    }
    case 'shutdown':
    case 'close': {
      if (args.length !== 1) throw new CommandError(args.length ? 'expected one SOCK' : 'missing SOCK', cmd.usage);
      return { name: cmd.name, sock: parseSock(args[0], cmd) };
    }
    case 'resolve': {
      if (args.length !== 1) throw new CommandError(args.length ? 'expected one HOST' : 'missing HOST', cmd.usage);
      return { name: 'resolve', host: stripBrackets(args[0]) };
    }
    case 'help':
      return { name: 'help', topic: args[0] || null };
    default:
      return { name: cmd.name };
  }
}

export const LINE_ENDINGS = {
  none: { label: 'no line ending', bytes: '' },
  lf: { label: '\\n', bytes: '\n' },
  crlf: { label: '\\r\\n', bytes: '\r\n' },
};
