#!/usr/bin/env node
// The Python path against native CPython: the same echo client program
// (echo_client.py) against the same echo peer, once run by Debian's python3
// on plain loopback sockets and once by the playground's Python (Pyodide in
// a worker, its sockets answered by the wasm client through the real
// gateway). Also: how long the playground's Python takes to be ready, and
// from Run to the program's first line.
//
//   node bench/python/python_bench.mjs [--runs 3] [--mib 32] [--rounds 2000] [--out FILE] [--quick]
//
// --quick (part of the test command) moves little data and only checks that
// every byte came back; it judges no speed. Figures: docs/PERFORMANCE.md.
// Needs the gateway (SOCKGATE_GATEWAY_BIN, default build/gateway/sockgate)
// and the wasm client (SOCKGATE_WASM_DIR, default build-wasm/wasm/browser).

import { readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { startGateway } from '../../tests/wasm/support.mjs';
import * as playground from '../../tests/python/pyodide_runner.mjs';
import { runNativeJson } from '../support/native_python.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const o = { runs: 3, mib: 32, rounds: 2000, out: null, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--runs') o.runs = Number(next());
    else if (a === '--mib') o.mib = Number(next());
    else if (a === '--rounds') o.rounds = Number(next());
    else if (a === '--out') o.out = next();
    else if (a === '--quick') o.quick = true;
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.quick) Object.assign(o, { runs: 1, mib: 2, rounds: 100 });
  return o;
}

function echoPeer() {
  const server = net.createServer((s) => {
    s.setNoDelay(true);
    s.pipe(s);
    s.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ port: server.address().port, close: () => server.close() })));
}

async function runPlayground(source, argv) {
  const r = await playground.startPython({ code: source, argv }).done;
  if (r.exitCode !== 0) throw new Error(`playground Python exited ${r.exitCode} (${r.reason}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

// From start() to the program's first line, with an interpreter already warm.
async function timeToFirstLine() {
  await playground.ready();
  const started = performance.now();
  const run = playground.startPython({ code: 'print("ready")' });
  await run.waitFor('ready');
  const ms = performance.now() - started;
  await run.done;
  return ms;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const source = await readFile(path.join(here, 'echo_client.py'), 'utf8');
  const gateway = await startGateway();
  const peer = await echoPeer();
  const warmStarted = performance.now();
  await playground.setup({ gateway });
  const warmMs = performance.now() - warmStarted;
  const argv = [String(peer.port), String(o.mib), String(o.rounds)];
  const runs = [];
  try {
    for (let i = 0; i < o.runs; i++) {
      const native = await runNativeJson(source, argv);
      const browser = await runPlayground(source, argv);
      runs.push({ native, playground: browser });
      process.stderr.write(`run ${i + 1}: native ${native.throughput.mib_per_s.toFixed(1)} MiB/s p50 ${native.rtt.p50_us.toFixed(0)} µs; `
        + `playground ${browser.throughput.mib_per_s.toFixed(1)} MiB/s p50 ${browser.rtt.p50_us.toFixed(0)} µs\n`);
    }
    const firstLine = [];
    for (let i = 0; i < Math.max(1, o.runs); i++) firstLine.push(await timeToFirstLine());

    const intact = runs.every((r) => r.native.throughput.intact && r.playground.throughput.intact);
    const tp = (side) => median(runs.map((r) => r[side].throughput.mib_per_s));
    const p50 = (side) => median(runs.map((r) => r[side].rtt.p50_us));
    const summary = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
      settings: o,
      interpreter_ready_ms: warmMs,
      run_to_first_line_ms: median(firstLine),
      throughput_mib_per_s: { native: tp('native'), playground: tp('playground'), ratio: tp('playground') / tp('native') },
      rtt_p50_us: { native: p50('native'), playground: p50('playground'), ratio: p50('playground') / p50('native') },
      intact,
      runs,
    };
    console.log(`python3 (native):      ${summary.throughput_mib_per_s.native.toFixed(1)} MiB/s, RTT p50 ${summary.rtt_p50_us.native.toFixed(0)} µs`);
    console.log(`playground (Pyodide):  ${summary.throughput_mib_per_s.playground.toFixed(1)} MiB/s, RTT p50 ${summary.rtt_p50_us.playground.toFixed(0)} µs`);
    console.log(`ratios: throughput ${summary.throughput_mib_per_s.ratio.toFixed(2)}×, RTT p50 ${summary.rtt_p50_us.ratio.toFixed(2)}×`);
    console.log(`interpreter ready after ${warmMs.toFixed(0)} ms; Run to first line ${summary.run_to_first_line_ms.toFixed(0)} ms (warm)`);
    console.log(`every byte intact: ${intact ? 'yes' : 'NO'}`);
    if (o.out) await writeFile(o.out, `${JSON.stringify(summary, null, 2)}\n`);
    if (!intact) process.exitCode = 1;
  } finally {
    await playground.teardown();
    peer.close();
    await gateway.stop();
  }
}

main().catch((e) => {
  console.error(`python_bench: ${e.stack ?? e}`);
  process.exit(1);
});
