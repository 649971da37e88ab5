// The browser build holds every example in one module (programs.mjs), and
// argv[0] picks the program (the parity tests run each example that way). A
// name it does not hold is an error that says which names it does hold, not
// a silent run of something else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';

import { RUN_WASM, WASM_DIR } from './harness.mjs';

function runModule(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [RUN_WASM, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const programs = path.join(WASM_DIR, 'programs.mjs');

test('an unknown program name fails with status 127 and lists the programs', async () => {
  const r = await runModule(['--program', 'tcp_servr', programs, 'ws://127.0.0.1:9/']);
  assert.equal(r.code, 127);
  assert.match(r.err, /no example program named 'tcp_servr'/);
  assert.match(r.err, /tcp_server, tcp_client, udp_server, udp_client/);
  assert.equal(r.out, '');
});
