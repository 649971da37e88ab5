// CPU time of process trees, from /proc, for benches that want to know
// which process of a path spends the machine's cores.
//
// A tree's time is its processes' own time plus what their exited children
// left to them (cutime, cstime), so a process that websockify forks for a
// connection and reaps is still counted. Linux only.

import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ, which Linux fixes at 100 for /proc

function readStats() {
  const stats = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let text;
    try {
      text = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    // The command name is in parentheses and may hold spaces: parse after it.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    stats.set(Number(name), { ppid, ticks });
  }
  return stats;
}

// Seconds of CPU used so far by each named tree: { name: rootPid } in,
// { name: seconds } out.
export function treeCpuSeconds(roots) {
  const stats = readStats();
  const children = new Map();
  for (const [pid, { ppid }] of stats) {
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(pid);
  }
  const out = {};
  for (const [name, root] of Object.entries(roots)) {
    let ticks = 0;
    const stack = [root];
    while (stack.length) {
      const pid = stack.pop();
      ticks += stats.get(pid)?.ticks ?? 0;
      stack.push(...(children.get(pid) ?? []));
    }
    out[name] = ticks / TICKS_PER_SECOND;
  }
  return out;
}

// What each tree used between two treeCpuSeconds() readings.
export function cpuSpent(before, after) {
  return Object.fromEntries(Object.keys(after).map((k) => [k, after[k] - (before[k] ?? 0)]));
}
