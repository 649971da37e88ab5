// The gateway's policy in words a newcomer reads at a glance ("this
// computer, any port") instead of CIDR notation, which the header still
// shows on request. Works on the lines of /api/info's policy summary, after
// their "connect/send to " or "listen/bind on " prefix: "tcp+udp
// 127.0.0.0/8, any port" or "::1/128, ports 1024-65535".

const IPV4_NAMED = [
  { net: [127, 0, 0, 0], bits: 8, words: 'this computer' },
  { net: [10, 0, 0, 0], bits: 8, words: 'the local network' },
  { net: [172, 16, 0, 0], bits: 12, words: 'the local network' },
  { net: [192, 168, 0, 0], bits: 16, words: 'the local network' },
  { net: [169, 254, 0, 0], bits: 16, words: 'link-local addresses' },
];

function ipv4(text) {
  const parts = text.split('.').map(Number);
  return parts.length === 4 && parts.every((p) => Number.isInteger(p) && p >= 0 && p <= 255) ? parts : null;
}

function ipv4Inside(addr, bits, net, netBits) {
  if (bits < netBits) return false;
  const toInt = (a) => ((a[0] << 24) >>> 0) + (a[1] << 16) + (a[2] << 8) + a[3];
  const mask = netBits === 0 ? 0 : (~0 << (32 - netBits)) >>> 0;
  return ((toInt(addr) & mask) >>> 0) === ((toInt(net) & mask) >>> 0);
}

/** "127.0.0.0/8" → "this computer"; an address range not named stays as it is. */
export function addressWords(cidr) {
  const [addr, bitsText] = cidr.split('/');
  const v6 = addr.includes(':');
  const bits = bitsText === undefined ? (v6 ? 128 : 32) : Number(bitsText);
  if (bits === 0) return v6 ? 'any IPv6 address' : 'any IPv4 address';
  if (v6) {
    const lower = addr.toLowerCase();
    if (lower === '::1' && bits === 128) return 'this computer';
    if (/^f[cd]/.test(lower) && bits >= 7) return 'the local network';
    if (lower.startsWith('::ffff:')) return addressWords(`${lower.slice(7)}/${Math.max(0, bits - 96)}`);
    return bits === 128 ? addr : cidr;
  }
  const a = ipv4(addr);
  if (!a) return cidr;
  const named = IPV4_NAMED.find((n) => ipv4Inside(a, bits, n.net, n.bits));
  if (named) return named.words;
  return bits === 32 ? addr : cidr;
}

/**
 * One summary item in words: {words, rule}. "tcp+udp 127.0.0.0/8, any port"
 * → {words: 'this computer, any port', rule: the item}. A line it does not
 * recognise is kept as it is.
 */
export function ruleWords(item) {
  const m = /^(?:(tcp\+udp|tcp|udp)\s+)?(\S+),\s*(.+)$/.exec(item);
  if (!m) return { words: item, rule: item };
  const [, proto, cidr, ports] = m;
  const only = proto === 'tcp' ? ' (TCP only)' : proto === 'udp' ? ' (UDP only)' : '';
  return { words: `${addressWords(cidr)}, ${ports.replace(/(\d)-(\d)/, '$1–$2')}${only}`, rule: item };
}

/**
 * A group's items in words, those saying the same thing merged (IPv4 and
 * IPv6 loopback are both "this computer"): [{words, rules: [...]}].
 */
export function groupWords(items) {
  const out = [];
  for (const item of items) {
    const { words, rule } = ruleWords(item);
    const same = out.find((o) => o.words === words);
    if (same) same.rules.push(rule);
    else out.push({ words, rules: [rule] });
  }
  return out;
}
