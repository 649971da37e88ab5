#!/usr/bin/env node
// The browser path, measured where users run it: a page in headless
// Chromium echoing bytes through four paths, in one run on one machine.
//
//   node bench/browser/browser_bench.mjs [--runs 3] [--out FILE] [--quick]
//                                        [--profile PATH] [--mib 64] [--round-trips 2000]
//                                        [--datagrams 20000]
//
// Paths (each to a TCP echo service, except the first):
//   raw-ws      the page's own WebSocket to a Node `ws` echo: no relay at all
//   plain       a plain-JS sockgate.v1 client (page/plain_client.js) → gateway
//   product     sockgate.js + the wasm client, as the playground runs it → gateway
//   product-wire  the same with a 'wire' listener, as the playground's console
//               has (every frame then goes through the wasm client, described)
//   websockify  the page's WebSocket → Debian's websockify
// Workloads: a bulk echo (16 KiB writes, at most 1 MiB in flight) and
// sequential 32-byte round trips. Every byte that comes back is checked.
// UDP: datagrams of 64 and 1024 bytes to a UDP echo (a Node dgram server
// of its own, not the gateway's demo echo, which would share the gateway's
// thread), at most 64 out at once, through the product and the plain-JS
// client; each echo is checked, losses are counted (after 200 ms of
// silence) and reported, not waited for.
// Per bulk run the renderer's main-thread busy time comes from the
// DevTools Performance domain (TaskDuration), and every process tree's CPU
// time (Chromium, gateway, websockify, echo servers) from /proc, to show
// which process a path's bytes cost the machine. JS heap allocated per write
// comes from one more bulk run per path (16 MiB) under the sampling heap
// profiler, counting objects collected since (ArrayBuffer contents live
// outside the JS heap and are not in it). --profile PATH adds one more
// bulk run per path under the DevTools CPU profiler, writes PATH-<path>.cpuprofile
// (open it in Chrome's DevTools) and prints each path's top functions by
// self time and by JS heap allocated.
//
// The Python path (python_path.mjs): bench/python/echo_client.py run by the
// playground's Python in the page and by python3, against the same echo.
// Page weight (page_weight.mjs): the playground (SOCKGATE_WEB_ROOT) loaded
// cold and reloaded, time to the console's Connected state and the bytes
// each response took, the page apart from Python.
//
// Chromium is driven over the raw DevTools protocol: Playwright's page API
// would enable the Network domain, which copies every WebSocket frame to the
// driver. --quick (part of the test command) moves a little data on every
// path and checks it; it judges no speed.
//
// Needs the gateway (SOCKGATE_GATEWAY_BIN), the wasm client
// (SOCKGATE_WASM_DIR, default build-wasm/wasm/browser), Chromium and websockify.

import { spawn } from 'node:child_process';
import { copyFile, cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { freePort, startGateway } from '../../tests/support/gateway.mjs';
import { waitFor } from '../../tests/support/wait.mjs';
import { Cdp, evaluate, launchChromium, openTarget } from '../support/cdp.mjs';
import { cpuSpent, treeCpuSeconds } from '../support/process_cpu.mjs';
import { describePageWeight, measurePageWeight, pageWeightProblems } from './page_weight.mjs';
import { describePythonPath, measurePythonPath, pythonPathProblems } from './python_path.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const wasmDir = process.env.SOCKGATE_WASM_DIR || path.join(repo, 'build-wasm/wasm/browser');
const PATHS = ['raw-ws', 'plain', 'product', 'product-wire', 'websockify'];
const UDP_PATHS = ['plain', 'product'];
const UDP_SIZES = [64, 1024];

function parseArgs(argv) {
  const o = { runs: 3, out: null, quick: false, mib: 64, roundTrips: 2000, datagrams: 20000, profile: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--out') o.out = argv[++i];
    else if (a === '--mib') o.mib = Number(argv[++i]);
    else if (a === '--round-trips') o.roundTrips = Number(argv[++i]);
    else if (a === '--datagrams') o.datagrams = Number(argv[++i]);
    else if (a === '--quick') o.quick = true;
    else if (a === '--profile') o.profile = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.quick) Object.assign(o, { runs: 1, mib: 2, roundTrips: 50, datagrams: 200 });
  return o;
}

// The page and what it loads, on the gateway's origin (it sends the
// cross-origin isolation headers, so performance.now() is fine-grained).
async function makeWebRoot() {
  const root = await mkdtemp(path.join(os.tmpdir(), 'sockgate-browser-bench-'));
  await cp(path.join(here, 'page'), root, { recursive: true });
  await copyFile(path.join(repo, 'web/src/sockgate.js'), path.join(root, 'sockgate.js'));
  await cp(wasmDir, path.join(root, 'wasm'), {
    recursive: true,
    filter: (f) => !/\.(br|gz)$/.test(f),
  });
  return root;
}

async function startEchoServers() {
  const child = spawn(process.execPath, [path.join(here, 'echo_servers.mjs')], { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the echo servers exited (${code})`)));
  });
  return { ports: JSON.parse(line), pid: child.pid, stop: () => child.stdin.end() };
}

async function startWebsockify(tcpEcho) {
  const port = await freePort();
  const child = spawn('websockify', [`127.0.0.1:${port}`, `127.0.0.1:${tcpEcho}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  await waitFor(() => {
    if (child.exitCode !== null) throw new Error(`websockify exited: ${err}`);
    return fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false);
  }, 'websockify to listen', 10_000);
  return { url: `ws://127.0.0.1:${port}/`, pid: child.pid, stop: () => child.kill('SIGTERM') };
}

async function taskSeconds(cdp, sessionId) {
  const { metrics } = await cdp.send('Performance.getMetrics', {}, sessionId);
  return metrics.find((m) => m.name === 'TaskDuration')?.value ?? NaN;
}

// Self time per function (name, file and line), heaviest first.
function topFunctions(profile, count) {
  const dt = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) dt.set(samples[i], (dt.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  const total = timeDeltas.reduce((a, b) => a + b, 0);
  const byName = new Map();
  for (const node of profile.nodes) {
    const f = node.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`;
    byName.set(name, (byName.get(name) ?? 0) + (dt.get(node.id) ?? 0));
  }
  return [...byName].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([name, us]) => `${((100 * us) / total).toFixed(1).padStart(5)}%  ${name}`);
}

async function profileRuns(cdp, sessionId, bulk, udpParams, where, prefix) {
  await cdp.send('Profiler.enable', {}, sessionId);
  await cdp.send('Profiler.setSamplingInterval', { interval: 100 }, sessionId);
  for (const p of PATHS) {
    await cdp.send('Profiler.start', {}, sessionId);
    await evaluate(cdp, sessionId, `bench.run(${JSON.stringify(p)}, 'throughput', ${JSON.stringify(bulk)}, ${JSON.stringify(where)})`);
    const { profile } = await cdp.send('Profiler.stop', {}, sessionId);
    await writeFile(`${prefix}-${p}.cpuprofile`, JSON.stringify(profile));
    console.error(`\n${p}: top functions by self time (${prefix}-${p}.cpuprofile)\n  ${topFunctions(profile, 15).join('\n  ')}`);
  }
  for (const p of UDP_PATHS) {
    await cdp.send('Profiler.start', {}, sessionId);
    await evaluate(cdp, sessionId, `bench.datagrams(${JSON.stringify(p)}, ${JSON.stringify(udpParams)}, ${JSON.stringify(where)})`);
    const { profile } = await cdp.send('Profiler.stop', {}, sessionId);
    await writeFile(`${prefix}-udp-${p}.cpuprofile`, JSON.stringify(profile));
    console.error(`\n${p} UDP ${udpParams.size} B: top functions by self time (${prefix}-udp-${p}.cpuprofile)\n  ${topFunctions(profile, 15).join('\n  ')}`);
  }
  await cdp.send('Profiler.disable', {}, sessionId);
}

// Bytes of JS heap allocated per bulk write, estimated by the sampling heap
// profiler with collected objects included.
async function heapPerWrite(cdp, sessionId, p, bulk, where, showTop) {
  const run = { ...bulk, total: Math.min(bulk.total, 16 << 20) };
  await cdp.send('HeapProfiler.enable', {}, sessionId);
  await cdp.send('HeapProfiler.collectGarbage', {}, sessionId);
  await cdp.send('HeapProfiler.startSampling', {
    samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true,
  }, sessionId);
  await evaluate(cdp, sessionId, `bench.run(${JSON.stringify(p)}, 'throughput', ${JSON.stringify(run)}, ${JSON.stringify(where)})`);
  const { profile } = await cdp.send('HeapProfiler.stopSampling', {}, sessionId);
  await cdp.send('HeapProfiler.disable', {}, sessionId);
  const writes = Math.ceil(run.total / run.chunk);
  let bytes = 0;
  const byFunction = new Map();
  const visit = (node) => {
    bytes += node.selfSize;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'} ${url.split('/').pop()}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + node.selfSize);
    for (const child of node.children) visit(child);
  };
  visit(profile.head);
  if (showTop) {
    const top = [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 12);
    console.error(`\n${p}: JS heap allocated per write, by allocating function\n  ${top.map(([k, v]) => `${(v / writes).toFixed(0).padStart(6)} B  ${k}`).join('\n  ')}`);
  }
  return bytes / writes;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const root = await makeWebRoot();
  const echo = await startEchoServers();
  const gateway = await startGateway(['--no-demo'], { webRoot: root });
  const websockify = await startWebsockify(echo.ports.tcp);
  const where = {
    wsEcho: `ws://127.0.0.1:${echo.ports.ws}/`,
    gateway: gateway.wsUrl,
    tcpEcho: echo.ports.tcp,
    udpEcho: echo.ports.udp,
    websockify: websockify.url,
  };
  const profile = await mkdtemp(path.join(os.tmpdir(), 'sockgate-chromium-'));
  const { child: chromium, url: devtools } = await launchChromium(profile);
  const cdp = await Cdp.connect(devtools);
  const bulk = { total: o.mib << 20, chunk: 16 << 10, inFlight: 1 << 20 };
  const rtt = { count: o.roundTrips, size: 32 };
  const results = Object.fromEntries(PATHS.map((p) => [p, { throughput: [], rtt: [] }]));
  const udp = Object.fromEntries(UDP_PATHS.map((p) => [p, Object.fromEntries(UDP_SIZES.map((s) => [s, []]))]));
  const failures = [];
  try {
    const { sessionId } = await openTarget(cdp);
    await cdp.send('Performance.enable', {}, sessionId);
    await cdp.send('Page.navigate', { url: gateway.httpUrl }, sessionId);
    await waitFor(() => evaluate(cdp, sessionId, 'window.benchReady === true'), 'the bench page', 20_000);
    const isolated = await evaluate(cdp, sessionId, 'self.crossOriginIsolated');
    await evaluate(cdp, sessionId, `bench.prepare(${bulk.total})`);
    // One untimed round first: the first run of each path was the slowest
    // by far (JIT, connection set-up in the browser's network service).
    if (!o.quick) {
      const warmup = { ...bulk, total: Math.min(bulk.total, 8 << 20) };
      for (const p of PATHS) {
        await evaluate(cdp, sessionId, `bench.run(${JSON.stringify(p)}, 'throughput', ${JSON.stringify(warmup)}, ${JSON.stringify(where)})`);
      }
    }
    const trees = { chromium: chromium.pid, gateway: gateway.pid, websockify: websockify.pid, echo: echo.pid };
    for (let run = 0; run < o.runs; run++) {
      for (const p of PATHS) {
        const before = await taskSeconds(cdp, sessionId);
        const cpuBefore = treeCpuSeconds(trees);
        const t = await evaluate(cdp, sessionId, `bench.run(${JSON.stringify(p)}, 'throughput', ${JSON.stringify(bulk)}, ${JSON.stringify(where)})`);
        t.processCpuSeconds = cpuSpent(cpuBefore, treeCpuSeconds(trees));
        t.mainThreadSeconds = (await taskSeconds(cdp, sessionId)) - before;
        t.mibPerSecond = t.bytes / (1 << 20) / (t.ms / 1000);
        const r = await evaluate(cdp, sessionId, `bench.run(${JSON.stringify(p)}, 'rtt', ${JSON.stringify(rtt)}, ${JSON.stringify(where)})`);
        if (t.bytes !== bulk.total || t.firstBadByte >= 0) failures.push(`${p} bulk: ${t.bytes} bytes back, first bad byte ${t.firstBadByte}`);
        if (r.firstBadByte >= 0) failures.push(`${p} round trips: first bad byte ${r.firstBadByte}`);
        results[p].throughput.push(t);
        results[p].rtt.push(r);
        process.stderr.write(`run ${run + 1} ${p.padEnd(10)} ${t.mibPerSecond.toFixed(1).padStart(7)} MiB/s, main thread ${t.mainThreadSeconds.toFixed(2)} s; RTT p50 ${r.p50_us.toFixed(0)} µs\n`);
      }
      for (const p of UDP_PATHS) {
        for (const size of UDP_SIZES) {
          const params = { count: o.datagrams, size, window: 64, lossMs: 200 };
          const d = await evaluate(cdp, sessionId, `bench.datagrams(${JSON.stringify(p)}, ${JSON.stringify(params)}, ${JSON.stringify(where)})`);
          if (d.bad > 0 || d.received === 0) failures.push(`${p} UDP ${size} B: ${d.received} of ${d.count} back, ${d.bad} not as sent`);
          udp[p][size].push(d);
          process.stderr.write(`run ${run + 1} ${p.padEnd(10)} UDP ${String(size).padStart(4)} B ${d.datagramsPerSecond.toFixed(0).padStart(7)} datagrams/s, ${d.lost} lost\n`);
        }
      }
    }
    const heap = {};
    for (const p of PATHS) {
      heap[p] = await heapPerWrite(cdp, sessionId, p, bulk, where, Boolean(o.profile));
      process.stderr.write(`${p.padEnd(10)} JS heap allocated per ${bulk.chunk}-byte write: ${heap[p].toFixed(0)} bytes\n`);
    }
    if (o.profile) await profileRuns(cdp, sessionId, bulk, { count: o.datagrams, size: 64, window: 64, lossMs: 200 }, where, o.profile);
    const pageWeight = await measurePageWeight({ runs: o.runs });
    failures.push(...pageWeightProblems(pageWeight));
    process.stderr.write(`${describePageWeight(pageWeight)}\n`);
    const python = await measurePythonPath({ runs: o.runs, mib: o.quick ? 1 : 16, rounds: o.quick ? 50 : 1000, echoPort: echo.ports.tcp });
    failures.push(...pythonPathProblems(python));
    process.stderr.write(`${describePythonPath(python)}\n`);
    const summary = {
      when: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model },
      chromium: (await cdp.send('Browser.getVersion')).product,
      crossOriginIsolated: isolated,
      runs: o.runs,
      bulk,
      round_trips: rtt,
      paths: Object.fromEntries(PATHS.map((p) => {
        const r = results[p];
        const mainPerGiB = median(r.throughput.map((t) => t.mainThreadSeconds / (t.bytes / (1 << 30))));
        const cpuPerGiB = (tree) => median(r.throughput.map((t) => t.processCpuSeconds[tree] / (t.bytes / (1 << 30))));
        return [p, {
          mib_per_s: median(r.throughput.map((t) => t.mibPerSecond)),
          main_thread_s_per_gib: mainPerGiB,
          // Every process tree's CPU per GiB echoed, and how many of the
          // machine's cores the run kept busy in all.
          process_cpu_s_per_gib: Object.fromEntries(Object.keys(trees).map((k) => [k, cpuPerGiB(k)])),
          cores_busy: median(r.throughput.map((t) => Object.values(t.processCpuSeconds).reduce((a, b) => a + b, 0) / (t.ms / 1000))),
          rtt_p50_us: median(r.rtt.map((x) => x.p50_us)),
          rtt_p99_us: median(r.rtt.map((x) => x.p99_us)),
          js_heap_bytes_per_write: heap[p],
        }];
      })),
      udp: Object.fromEntries(UDP_PATHS.map((p) => [p, Object.fromEntries(UDP_SIZES.map((size) => {
        const runs = udp[p][size];
        return [size, {
          datagrams_per_s: median(runs.map((d) => d.datagramsPerSecond)),
          lost: runs.reduce((a, d) => a + d.lost, 0),
          sent: runs.reduce((a, d) => a + d.count, 0),
        }];
      }))])),
      page_weight: pageWeight,
      python,
      failures,
    };
    const ratio = (a, b) => (summary.paths[a].mib_per_s / summary.paths[b].mib_per_s).toFixed(2);
    summary.ratios = {
      product_vs_plain_throughput: Number(ratio('product', 'plain')),
      product_vs_websockify_throughput: Number(ratio('product', 'websockify')),
      product_vs_plain_rtt_p50: Number((summary.paths.product.rtt_p50_us / summary.paths.plain.rtt_p50_us).toFixed(2)),
      ...Object.fromEntries(UDP_SIZES.map((size) => [`product_vs_plain_udp_${size}`,
        Number((summary.udp.product[size].datagrams_per_s / summary.udp.plain[size].datagrams_per_s).toFixed(2))])),
      python_page_vs_native_throughput: Number((python.page.mib_per_s / python.native.mib_per_s).toFixed(3)),
      python_page_vs_native_rtt_p50: Number((python.page.rtt_p50_us / python.native.rtt_p50_us).toFixed(1)),
      page_first_load_vs_target: Number((pageWeight.transfer.cold.page.bytes / pageWeight.targets.first_load_bytes).toFixed(2)),
      page_reload_vs_target: Number((pageWeight.transfer.reload.page.bytes / pageWeight.targets.reload_bytes).toFixed(2)),
    };
    if (o.out) await writeFile(o.out, `${JSON.stringify(summary, null, 2)}\n`);
    console.log(JSON.stringify(o.quick ? { paths: summary.paths, udp: summary.udp, page_weight: { ...pageWeight, transfer: undefined }, python: { native: python.native, page: python.page }, failures } : summary, null, 2));
    if (failures.length) {
      console.error(`browser bench: ${failures.length} check(s) failed:\n  ${failures.join('\n  ')}`);
      process.exitCode = 1;
    } else {
      console.error(`browser bench: every byte on ${PATHS.length} paths and every datagram echoed on ${UDP_PATHS.length} came back intact (${o.runs} run(s))`);
    }
  } finally {
    cdp.close();
    chromium.kill('SIGKILL');
    websockify.stop();
    await gateway.stop();
    echo.stop();
    await rm(profile, { recursive: true, force: true }).catch(() => {});
    await rm(root, { recursive: true, force: true }).catch(() => {});
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
