// The real gateway as a child process, and free loopback ports, for every
// Node-driven suite (wasm API, examples, Python, browser, proxy) and the
// Python benches. The C++ tests' counterpart is tests/support/gateway_process.hpp.
//
// Environment:
//   SOCKGATE_GATEWAY_BIN  the gateway binary (default <repo>/build/gateway/sockgate)
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { metric } from './metrics.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const gatewayBin = process.env.SOCKGATE_GATEWAY_BIN || path.join(repo, 'build/gateway/sockgate');

// How long a gateway may take to print its banner, and to stop on SIGTERM
// before it is killed.
const START_TIMEOUT_MS = 10_000;
const STOP_PATIENCE_MS = 5_000;

// Gateways still running. They are killed when this process ends, also when
// the test runner ends it (a timeout sends SIGTERM), so that no gateway
// outlives its test file.
const liveGateways = new Set();
process.once('exit', () => {
  for (const child of liveGateways) child.kill('SIGKILL');
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => process.exit(128 + (signal === 'SIGTERM' ? 15 : 2)));
}

/**
 * Starts the gateway on a free loopback port, with its demo echo services on
 * another (unless `args` holds --no-demo), and resolves once its banner says
 * where. Options:
 *   quiet    false: it logs each session too, readable with output()
 *   tls      {cert, key}: it serves https:// and wss:// with them
 *   webRoot  the folder it serves the page from
 *   bin      another gateway binary
 *   port     its port (default: any free one), e.g. to start it again where
 *            a page expects it
 * Resolves {port, host, scheme, httpUrl, wsUrl, demo: {host, port} | null,
 * output(), health(), metric(name), stop()}; stop() resolves {code, signal}.
 */
export function startGateway(args = [], { quiet = true, tls = null, webRoot = null, bin = gatewayBin, port = 0 } = {}) {
  if (!existsSync(bin)) {
    return Promise.reject(new Error(`no gateway binary at ${bin} (build it, or set SOCKGATE_GATEWAY_BIN)`));
  }
  const demo = !args.includes('--no-demo');
  const full = ['--listen', `127.0.0.1:${port}`, ...(demo ? ['--demo-port', '0'] : []), ...(quiet ? ['--quiet'] : []),
    ...(tls ? ['--tls-cert', tls.cert, '--tls-key', tls.key] : []), ...(webRoot ? ['--web-root', webRoot] : []),
    ...args];
  const child = spawn(bin, full, { stdio: ['ignore', 'pipe', 'pipe'] });
  liveGateways.add(child);
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => {
    liveGateways.delete(child);
    resolve({ code, signal });
  }));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function fail(why) {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`the gateway ${why}\n${bin} ${full.join(' ')}\n${output}`));
    }
    function onOutput(chunk) {
      output += chunk;
      const listen = /listening on (https?):\/\/127\.0\.0\.1:(\d+)\//.exec(output);
      const demoLine = /demo echo services: tcp and udp on ([^\s:]+):(\d+)/.exec(output);
      if (!listen || (demo && !demoLine)) return;
      clearTimeout(timer);
      child.removeListener('exit', onEarlyExit);
      const [, scheme, port] = listen;
      const host = `127.0.0.1:${port}`;
      const httpUrl = `${scheme}://${host}/`;
      resolve({
        port: Number(port),
        pid: child.pid,
        host,
        scheme,
        httpUrl,
        wsUrl: `${scheme === 'https' ? 'wss' : 'ws'}://${host}/ws`,
        demo: demoLine ? { host: demoLine[1], port: Number(demoLine[2]) } : null,
        output: () => output,
        // Over http only: fetch() cannot be given the test's CA.
        async health() {
          const res = await fetch(new URL('/healthz', httpUrl));
          return res.json();
        },
        async metric(nameWithLabels) {
          const res = await fetch(new URL('/metrics', httpUrl));
          if (!res.ok) throw new Error(`GET /metrics: ${res.status}`);
          return metric(await res.text(), nameWithLabels);
        },
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          const timer2 = setTimeout(() => child.kill('SIGKILL'), STOP_PATIENCE_MS);
          const result = await exited;
          clearTimeout(timer2);
          return result;
        },
      });
    }
    function onEarlyExit(code, signal) {
      fail(`exited (${code ?? signal}) before it was ready`);
    }
    child.stdout.setEncoding('utf8').on('data', onOutput);
    child.stderr.setEncoding('utf8').on('data', (chunk) => { output += chunk; });
    child.once('error', (e) => fail(`could not be started: ${e.message}`));
    child.once('exit', onEarlyExit);
  });
}

function bindsNow(proto, port) {
  return new Promise((resolve) => {
    if (proto === 'udp') {
      const s = dgram.createSocket('udp4');
      s.once('error', () => resolve(null));
      s.bind(port, '127.0.0.1', () => {
        const bound = s.address().port;
        s.close(() => resolve(bound));
      });
    } else {
      const s = net.createServer();
      s.once('error', () => resolve(null));
      s.listen(port, '127.0.0.1', () => {
        const bound = s.address().port;
        s.close(() => resolve(bound));
      });
    }
  });
}

/** Whether `port` on 127.0.0.1 can be bound now for 'tcp' or 'udp'. */
export async function portIsFree(port, proto = 'tcp') {
  return (await bindsNow(proto, port)) !== null;
}

/**
 * A port on 127.0.0.1 that was free a moment ago for `proto`: 'tcp', 'udp',
 * or 'both' (free for TCP and UDP alike, for programs that use one number
 * for both).
 */
export async function freePort(proto = 'tcp') {
  if (proto !== 'both') {
    const port = await bindsNow(proto, 0);
    if (port === null) throw new Error(`no free ${proto} port on 127.0.0.1`);
    return port;
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await freePort('tcp');
    if (await portIsFree(port, 'udp')) return port;
  }
  throw new Error('no port on 127.0.0.1 free for both TCP and UDP');
}
