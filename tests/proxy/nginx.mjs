// Debian's nginx running the compose deployment's docker/nginx.conf, rendered
// by docker/render-nginx-conf.sh exactly as compose renders it, with its own
// prefix, pid file and logs in a temporary directory. Also the self-signed
// certificate it serves. Not a test file itself.
//
// Environment:
//   SOCKGATE_NGINX  the nginx binary (default /usr/sbin/nginx)
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// nginx cannot pick its own port and say which: it gets one that was free.
import { freePort } from '../support/gateway.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const nginxBin = process.env.SOCKGATE_NGINX ?? '/usr/sbin/nginx';

// A key and a certificate for 127.0.0.1 (and localhost), valid for a day.
// Returns their paths and the certificate's PEM, which clients then trust.
export function makeCertificate(dir) {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost',
    '-keyout', key, '-out', cert], { stdio: ['ignore', 'ignore', 'pipe'] });
  return { cert, key, pem: readFileSync(cert) };
}

// GET https://127.0.0.1:port/path trusting `ca`; resolves {status, body}.
export function httpsGet(port, pathname, ca) {
  return new Promise((resolve, reject) => {
    const req = https.get({ host: '127.0.0.1', port, path: pathname, ca, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.once('timeout', () => req.destroy(new Error(`GET ${pathname} timed out`)));
    req.once('error', reject);
  });
}

// Renders docker/nginx.conf into dir and starts nginx in the foreground on
// 127.0.0.1:<free port> in front of `upstreams` (["127.0.0.1:PORT", ...]).
// Resolves once it answers /healthz over TLS: {port, stop(), output()}.
export async function startNginx({ dir, upstreams, tls, readTimeout }) {
  const port = await freePort();
  const conf = path.join(dir, 'nginx.conf');
  execFileSync(path.join(repo, 'docker/render-nginx-conf.sh'), [path.join(repo, 'docker/nginx.conf'), conf], {
    env: {
      ...process.env,
      SOCKGATE_UPSTREAMS: upstreams.join(' '),
      NGINX_LISTEN: `127.0.0.1:${port}`,
      TLS_CERT: tls.cert,
      TLS_KEY: tls.key,
      NGINX_READ_TIMEOUT: readTimeout,
    },
  });
  const args = ['-p', dir, '-c', conf, '-e', path.join(dir, 'error.log'),
    '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`];
  const child = spawn(nginxBin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  // SIGTERM, not SIGKILL: nginx's master then ends its workers too, where
  // a killed master would leave them running.
  process.once('exit', () => child.kill('SIGTERM'));

  const deadline = Date.now() + 10_000;
  for (;;) {
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 100))]);
    if (early !== null) throw new Error(`nginx exited (${early}): ${nginxBin} ${args.join(' ')}\n${output}`);
    const answer = await httpsGet(port, '/healthz', tls.pem).catch(() => null);
    if (answer?.status === 200) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`nginx did not serve /healthz on port ${port} within 10 s\n${output}`);
    }
  }
  return {
    port,
    output: () => output,
    async stop() {
      // SIGQUIT would wait for open WebSockets; the test is done with them.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
